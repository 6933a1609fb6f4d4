using System.Net;
using Azora.Tests.Stack;

namespace Azora.Tests.Api;

/// <summary>Logouts during a Redis outage, with an API instance whose path to the stack's real Redis is cut and mended.</summary>
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

        // A replica started after the outage (it checks its memory, never PostgreSQL, once it has reloaded) refuses it too.
        await using var replica = await ApiInstance.StartAsync(stack, new Dictionary<string, string>());
        using (var elsewhere = await replica.Client.GetAsync("/api/auth/profile", session.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(elsewhere, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }

        // The account's other session was not touched.
        using var other = await api.Client.GetAsync("/api/auth/profile", account.AccessToken);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task A_replica_whose_subscription_was_cut_refuses_a_token_revoked_meanwhile_elsewhere()
    {
        // The cut replica cannot hear the other's message, and its periodic read is an hour away: it must ask
        // PostgreSQL while cut, and reload before it trusts its memory again.
        await using var cache = BreakableCachePath.To(await stack.ConnectionStringAsync("cache"));
        await using var cut = await ApiInstance.StartAsync(
            stack, new Dictionary<string, string> { ["Azora:Auth:RevocationRefreshInterval"] = "01:00:00" }, cacheConnectionString: cache.ConnectionString);
        await using var other = await ApiInstance.StartAsync(stack, new Dictionary<string, string>());
        var account = await TestAccounts.RegisterAsync(other.Client);
        var session = await TestAccounts.LoginAsync(other.Client, account.Email);
        await RevocationMetrics.WaitUntilReloadedAsync(cut, times: 1);
        using (var before = await cut.Client.GetAsync("/api/auth/profile", session.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        var reloads = await RevocationMetrics.ReloadsAsync(cut);
        cache.Break();
        Assert.Equal("Degraded", await RedisHealthAsync(cut, "Degraded"));
        using (var logout = await other.Client.SendJsonAsync(HttpMethod.Post, "/api/auth/logout", null, session.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        }

        using (var whileCut = await cut.Client.GetAsync("/api/auth/profile", session.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(whileCut, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }

        cache.Restore();
        Assert.Equal("Healthy", await RedisHealthAsync(cut, "Healthy"));
        await RevocationMetrics.WaitUntilReloadedAsync(cut, times: reloads + 1);
        var fallbacks = await RevocationMetrics.FallbacksAsync(cut);
        using (var after = await cut.Client.GetAsync("/api/auth/profile", session.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(after, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }

        // Refused from the reloaded memory, not by asking PostgreSQL; the account's other session still works.
        Assert.Equal(fallbacks, await RevocationMetrics.FallbacksAsync(cut));
        using var untouched = await cut.Client.GetAsync("/api/auth/profile", account.AccessToken);
        Assert.Equal(HttpStatusCode.OK, untouched.StatusCode);
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
