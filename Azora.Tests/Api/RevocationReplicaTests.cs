using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Azora.Tests.Stack;

namespace Azora.Tests.Api;

/// <summary>
/// Two API replicas against the stack's PostgreSQL and Redis: a session closed on one is refused by the other within
/// the bounds the API reference documents, from the other replica's memory (not by asking PostgreSQL per request).
/// </summary>
[Collection(StackCollection.Name)]
public partial class RevocationReplicaTests(AzoraStackFixture stack)
{
    /// <summary>The API reference: on a healthy cache a revocation reaches every replica within 2 seconds.</summary>
    private static readonly TimeSpan PushedBound = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task A_logout_on_one_replica_is_refused_by_the_other_from_the_pushed_message()
    {
        // The other replica's periodic read is an hour away: only the pushed message can tell it within the bound.
        await using var first = await ApiInstance.StartAsync(stack, new Dictionary<string, string>());
        await using var second = await ApiInstance.StartAsync(stack, new Dictionary<string, string> { ["Azora:Auth:RevocationRefreshInterval"] = "01:00:00" });
        var account = await TestAccounts.RegisterAsync(first.Client);
        var session = await TestAccounts.LoginAsync(first.Client, account.Email);
        await RevocationMetrics.WaitUntilReloadedAsync(second, times: 1);
        await AssertProfileAsync(first, session.AccessToken, HttpStatusCode.OK);
        await AssertProfileAsync(second, session.AccessToken, HttpStatusCode.OK);
        var fallbacks = await RevocationMetrics.FallbacksAsync(second);

        using (var logout = await first.Client.SendJsonAsync(HttpMethod.Post, "/api/auth/logout", null, session.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithinAsync(second, session.AccessToken, HttpStatusCode.Unauthorized, PushedBound));
        await AssertProfileAsync(first, session.AccessToken, HttpStatusCode.Unauthorized);
        // The other session of the account still works on both, and the refusals came from memory.
        await AssertProfileAsync(second, account.AccessToken, HttpStatusCode.OK);
        await AssertProfileAsync(first, account.AccessToken, HttpStatusCode.OK);
        Assert.Equal(fallbacks, await RevocationMetrics.FallbacksAsync(second));
    }

    [Fact]
    public async Task A_session_closed_without_a_message_is_refused_by_every_replica_after_the_refresh_interval()
    {
        // A session closed by hand in SQL publishes nothing; each replica's periodic read from PostgreSQL finds it. The
        // bound is the interval plus one Redis probe (at most 2 s) and one PostgreSQL read.
        var interval = TimeSpan.FromSeconds(2);
        var settings = new Dictionary<string, string> { ["Azora:Auth:RevocationRefreshInterval"] = "00:00:02" };
        await using var first = await ApiInstance.StartAsync(stack, settings);
        await using var second = await ApiInstance.StartAsync(stack, settings);
        var account = await TestAccounts.RegisterAsync(first.Client);
        await RevocationMetrics.WaitUntilReloadedAsync(first, times: 1);
        await RevocationMetrics.WaitUntilReloadedAsync(second, times: 1);
        await AssertProfileAsync(first, account.AccessToken, HttpStatusCode.OK);
        await AssertProfileAsync(second, account.AccessToken, HttpStatusCode.OK);

        await stack.ExecuteAsync(
            "UPDATE auth_sessions SET revoked_at = now(), revoke_reason = 'test' WHERE user_id = @id AND revoked_at IS NULL", new { id = account.UserId });

        var bound = interval + TimeSpan.FromSeconds(2) + TimeSpan.FromSeconds(1);
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithinAsync(first, account.AccessToken, HttpStatusCode.Unauthorized, bound));
        Assert.Equal(HttpStatusCode.Unauthorized, await StatusWithinAsync(second, account.AccessToken, HttpStatusCode.Unauthorized, bound));
    }

    private static async Task AssertProfileAsync(ApiInstance api, string accessToken, HttpStatusCode expected)
    {
        using var response = await api.Client.GetAsync("/api/auth/profile", accessToken);
        Assert.Equal(expected, response.StatusCode);
    }

    /// <summary>Asks until the wanted status comes or <paramref name="bound"/> has passed since the call; the last status.</summary>
    private static async Task<HttpStatusCode> StatusWithinAsync(ApiInstance api, string accessToken, HttpStatusCode wanted, TimeSpan bound)
    {
        var elapsed = Stopwatch.StartNew();
        while (true)
        {
            using var response = await api.Client.GetAsync("/api/auth/profile", accessToken);
            if (response.StatusCode == wanted || elapsed.Elapsed >= bound)
            {
                return response.StatusCode;
            }

            await Task.Delay(50);
        }
    }
}

/// <summary>A replica's revocation counters from its /metrics (absent until first counted).</summary>
internal static partial class RevocationMetrics
{
    public static Task<long> FallbacksAsync(ApiInstance api) => ReadAsync(api, Fallbacks());

    public static Task<long> ReloadsAsync(ApiInstance api) => ReadAsync(api, Reloads());

    /// <summary>Waits until the replica has reloaded its revoked sessions from PostgreSQL at least <paramref name="times"/> times.</summary>
    public static async Task WaitUntilReloadedAsync(ApiInstance api, long times)
    {
        var reloads = await Eventually.ReadAsync(() => ReloadsAsync(api), count => count >= times, attempts: 150, pause: TimeSpan.FromMilliseconds(200));
        Assert.True(reloads >= times, $"The replica reloaded its revoked sessions {reloads} times, expected at least {times}.");
    }

    private static async Task<long> ReadAsync(ApiInstance api, Regex metric)
    {
        using var response = await api.Client.GetAsync("/metrics");
        var match = metric.Match(await response.Content.ReadAsStringAsync());
        return match.Success ? long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }

    [GeneratedRegex(@"^azora_auth_denylist_fallbacks_total(?:\{[^}]*\})? (\d+)", RegexOptions.Multiline)]
    private static partial Regex Fallbacks();

    [GeneratedRegex(@"^azora_auth_denylist_rebuilds_total(?:\{[^}]*\})? (\d+)", RegexOptions.Multiline)]
    private static partial Regex Reloads();
}
