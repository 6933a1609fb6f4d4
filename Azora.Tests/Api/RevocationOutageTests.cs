using System.Net;
using Azora.Tests.Stack;

namespace Azora.Tests.Api;

/// <summary>Logouts during a Redis outage, on an API instance whose path to the stack's real Redis is cut and mended.</summary>
[Collection(StackCollection.Name)]
public class RevocationOutageTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task A_logout_during_a_redis_outage_stays_refused_after_redis_returns()
    {
        await using var cache = BreakableCachePath.To(await stack.ConnectionStringAsync("cache"));
        await using var api = await ApiInstance.StartAsync(stack, new Dictionary<string, string>(), cacheConnectionString: cache.ConnectionString);
        var account = await TestAccounts.RegisterAsync(api.Client);
        var session = await TestAccounts.LoginAsync(api.Client, account.Email);
        using (var before = await api.Client.GetAsync("/api/auth/profile", session.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        cache.Break();
        Assert.Equal("Degraded", await RedisHealthAsync(api, "Degraded"));
        using (var logout = await api.Client.SendJsonAsync(HttpMethod.Post, "/api/auth/logout", null, session.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        }

        cache.Restore();
        Assert.Equal("Healthy", await RedisHealthAsync(api, "Healthy"));

        using (var after = await api.Client.GetAsync("/api/auth/profile", session.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(after, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }

        // A replica that never saw the outage (it checks Redis, never PostgreSQL, once it has rebuilt) refuses it too.
        await using var replica = await ApiInstance.StartAsync(stack, new Dictionary<string, string>());
        using (var elsewhere = await replica.Client.GetAsync("/api/auth/profile", session.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(elsewhere, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }

        // The account's other session was not touched.
        using var other = await api.Client.GetAsync("/api/auth/profile", account.AccessToken);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    private static Task<string?> RedisHealthAsync(ApiInstance api, string wanted) => Eventually.ReadAsync(
        async () =>
        {
            using var health = await api.Client.GetAsync("/health");
            return (await health.JsonAsync()).GetProperty("checks").GetProperty("StackExchange.Redis").GetString();
        },
        status => status == wanted,
        attempts: 150,
        pause: TimeSpan.FromMilliseconds(200));
}
