using System.Net;
using Azora.Tests.Stack;

namespace Azora.Tests.Api;

/// <summary>
/// Rate limits on extra API instances with small limits of their own. Each test takes its own Redis key prefix, so
/// counters never leak between tests; instances that share a prefix are replicas of one deployment.
/// </summary>
[Collection(StackCollection.Name)]
public class RateLimitTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task Two_api_instances_count_against_one_limit_in_redis()
    {
        var settings = Limits(anonymous: 6);
        await using var first = await ApiInstance.StartAsync(stack, settings);
        await using var second = await ApiInstance.StartAsync(stack, settings);
        await first.WaitUntilCacheConnectedAsync();
        await second.WaitUntilCacheConnectedAsync();
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        for (var request = 1; request <= 6; request++)
        {
            var client = request % 2 == 0 ? second.Client : first.Client;
            using var response = await client.GetAsync("/.well-known/jwks.json");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("6", response.Header("X-RateLimit-Limit"));
            Assert.Equal((6 - request).ToString(), response.Header("X-RateLimit-Remaining"));
            var reset = long.Parse(response.Header("X-RateLimit-Reset"));
            Assert.InRange(reset, before + 3590, before + 3610);
        }

        using var refused = await first.Client.GetAsync("/.well-known/jwks.json");
        await AssertTooManyRequestsAsync(refused, limit: 6, maximumRetryAfter: 3600);
        using var refusedByTheOther = await second.Client.GetAsync("/.well-known/jwks.json");
        await AssertTooManyRequestsAsync(refusedByTheOther, limit: 6, maximumRetryAfter: 3600);
    }

    [Fact]
    public async Task Signed_in_users_are_counted_per_user_not_per_address()
    {
        await using var api = await ApiInstance.StartAsync(stack, Limits(authenticated: 3));
        var ada = await TestAccounts.RegisterAsync(api.Client);
        var grace = await TestAccounts.RegisterAsync(api.Client);

        for (var request = 0; request < 3; request++)
        {
            using var allowed = await api.Client.GetAsync("/api/auth/profile", ada.AccessToken);
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
            Assert.Equal("3", allowed.Header("X-RateLimit-Limit"));
        }

        using (var refused = await api.Client.GetAsync("/api/auth/profile", ada.AccessToken))
        {
            await AssertTooManyRequestsAsync(refused, limit: 3, maximumRetryAfter: 3600);
        }

        using var other = await api.Client.GetAsync("/api/auth/profile", grace.AccessToken);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal("2", other.Header("X-RateLimit-Remaining"));
    }

    [Fact]
    public async Task Login_and_register_have_a_stricter_limit_per_client()
    {
        await using var api = await ApiInstance.StartAsync(stack, Limits(credentials: 3));
        var email = await TestAccounts.RegisterWithoutSigningInAsync(api.Client);

        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var wrong = await api.Client.PostJsonAsync("/api/auth/login", new { email = TestAccounts.NewEmail("someone"), password = "guessing-passwords" });
            await ProblemAssert.IsProblemAsync(wrong, HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        }

        using var refused = await api.Client.PostJsonAsync("/api/auth/login", new { email, password = TestAccounts.Password });
        await AssertTooManyRequestsAsync(refused, limit: 3, maximumRetryAfter: 900);

        // Other endpoints are still open to the same client.
        using var catalog = await api.Client.GetAsync("/api/education/courses");
        Assert.Equal(HttpStatusCode.OK, catalog.StatusCode);
    }

    [Fact]
    public async Task Brute_force_on_one_account_is_stopped_whatever_the_password()
    {
        await using var api = await ApiInstance.StartAsync(stack, Limits(loginAttempts: 5));
        var victim = await TestAccounts.RegisterWithoutSigningInAsync(api.Client);
        var bystander = await TestAccounts.RegisterWithoutSigningInAsync(api.Client);

        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var wrong = await api.Client.PostJsonAsync("/api/auth/login", new { email = victim, password = $"guess-number-{attempt:D4}" });
            await ProblemAssert.IsProblemAsync(wrong, HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        }

        using (var blocked = await api.Client.PostJsonAsync("/api/auth/login", new { email = victim, password = "another-guess-0006" }))
        {
            await AssertTooManyRequestsAsync(blocked, limit: 5, maximumRetryAfter: 900);
        }

        // From the guessing address even the right password waits, in any casing of the email; other accounts are
        // not affected.
        using (var right = await api.Client.PostJsonAsync("/api/auth/login", new { email = victim.ToUpperInvariant(), password = TestAccounts.Password }))
        {
            await AssertTooManyRequestsAsync(right, limit: 5, maximumRetryAfter: 900);
        }

        await TestAccounts.LoginAsync(api.Client, bystander);
    }

    [Fact]
    public async Task A_strangers_wrong_passwords_do_not_lock_the_owner_out()
    {
        var settings = new Dictionary<string, string>(Limits(loginAttempts: 5)) { ["Azora:Api:TrustedProxies:0"] = "127.0.0.0/8" };
        await using var api = await ApiInstance.StartAsync(stack, settings);
        var owner = await TestAccounts.RegisterAsync(api.Client);

        for (var attempt = 0; attempt < 5; attempt++)
        {
            using var wrong = await LoginFromAsync(api, "203.0.113.66", owner.Email, $"guess-number-{attempt:D4}");
            await ProblemAssert.IsProblemAsync(wrong, HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        }

        using (var stranger = await LoginFromAsync(api, "203.0.113.66", owner.Email, "guess-number-0006"))
        {
            await AssertTooManyRequestsAsync(stranger, limit: 5, maximumRetryAfter: 900);
        }

        using var ownLogin = await LoginFromAsync(api, "198.51.100.7", owner.Email, TestAccounts.Password);
        Assert.Equal(HttpStatusCode.OK, ownLogin.StatusCode);
    }

    [Fact]
    public async Task Concurrent_guesses_are_counted_before_any_password_is_checked()
    {
        await using var api = await ApiInstance.StartAsync(stack, Limits(loginAttempts: 5));
        var victim = await TestAccounts.RegisterWithoutSigningInAsync(api.Client);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(attempt =>
            api.Client.PostJsonAsync("/api/auth/login", new { email = victim, password = $"parallel-guess-{attempt:D4}" })));
        var statuses = responses.Select(response => response.StatusCode).ToList();
        foreach (var response in responses)
        {
            response.Dispose();
        }

        Assert.Equal(5, statuses.Count(status => status == HttpStatusCode.Unauthorized));
        Assert.Equal(15, statuses.Count(status => status == HttpStatusCode.TooManyRequests));
    }

    [Theory]
    [InlineData("/api/auth/login/")]
    [InlineData("/API/Auth/Login")]
    [InlineData("/api/auth/register/")]
    public async Task The_credentials_limit_follows_the_endpoint_whatever_the_spelling_of_its_path(string path)
    {
        await using var api = await ApiInstance.StartAsync(stack, Limits(credentials: 2));

        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var counted = await api.Client.PostJsonAsync(path, new { email = TestAccounts.NewEmail("spelling"), password = "x" });
            Assert.NotEqual(HttpStatusCode.TooManyRequests, counted.StatusCode);
            Assert.Equal("2", counted.Header("X-RateLimit-Limit"));
        }

        using var refused = await api.Client.PostJsonAsync(path, new { email = TestAccounts.NewEmail("spelling"), password = "x" });
        await AssertTooManyRequestsAsync(refused, limit: 2, maximumRetryAfter: 900);
    }

    [Fact]
    public async Task Ipv6_clients_are_counted_per_64_and_mapped_ipv4_as_ipv4()
    {
        var settings = new Dictionary<string, string>(Limits(anonymous: 2)) { ["Azora:Api:TrustedProxies:0"] = "127.0.0.0/8" };
        await using var api = await ApiInstance.StartAsync(stack, settings);

        // Two addresses of one /64 share a limit; the next /64 has its own.
        await AssertStatusesAsync(api, "2001:db8:1:2::1", HttpStatusCode.OK);
        await AssertStatusesAsync(api, "2001:db8:1:2:ffff:ffff:ffff:fffe", HttpStatusCode.OK);
        await AssertStatusesAsync(api, "2001:db8:1:2::3", HttpStatusCode.TooManyRequests);
        await AssertStatusesAsync(api, "2001:db8:1:3::1", HttpStatusCode.OK);

        await AssertStatusesAsync(api, "::ffff:203.0.113.9", HttpStatusCode.OK);
        await AssertStatusesAsync(api, "203.0.113.9", HttpStatusCode.OK, HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task With_redis_down_the_password_limits_are_kept_in_the_replicas_memory()
    {
        await using var api = await ApiInstance.StartAsync(
            stack, Limits(anonymous: 1, credentials: 3, loginAttempts: 2), cacheConnectionString: ApiInstance.UnreachableEndpoint());

        // The general anonymous limit (1) fails open; the credentials limit (3 per address) and the attempts on one
        // account (2 per address) are still enforced.
        var email = TestAccounts.NewEmail("outage");
        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var wrong = await api.Client.PostJsonAsync("/api/auth/login", new { email, password = $"outage-guess-{attempt:D4}" });
            await ProblemAssert.IsProblemAsync(wrong, HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        }

        using (var sameAccount = await api.Client.PostJsonAsync("/api/auth/login", new { email, password = "outage-guess-0003" }))
        {
            await AssertTooManyRequestsAsync(sameAccount, limit: 2, maximumRetryAfter: 900);
        }

        using (var otherAccount = await api.Client.PostJsonAsync("/api/auth/login", new { email = TestAccounts.NewEmail("outage"), password = "x" }))
        {
            await AssertTooManyRequestsAsync(otherAccount, limit: 3, maximumRetryAfter: 900);
        }

        using var metrics = await api.Client.GetAsync("/metrics");
        var text = await metrics.Content.ReadAsStringAsync();
        Assert.Matches("azora_ratelimit_local_fallback_total\\{[^}]*policy=\"credentials\"[^}]*\\} [1-9]", text);
        Assert.Matches("azora_ratelimit_fail_open_total\\{[^}]*policy=\"anonymous\"[^}]*\\} [1-9]", text);
    }

    [Fact]
    public async Task In_development_the_per_address_limits_do_not_get_in_a_developers_way()
    {
        // Development settings only (appsettings.Development.json): behind Aspire's proxy every local client is 127.0.0.1.
        await using var api = await ApiInstance.StartAsync(stack, new Dictionary<string, string>());
        var account = await TestAccounts.RegisterAsync(api.Client);

        using (var browse = await api.Client.GetAsync("/.well-known/jwks.json"))
        {
            Assert.True(long.Parse(browse.Header("X-RateLimit-Limit")) >= 10_000, "the anonymous limit in Development");
        }

        // More sign-ins, and more mistyped passwords, than production would allow from one address.
        for (var attempt = 0; attempt < 12; attempt++)
        {
            using var wrong = await api.Client.PostJsonAsync("/api/auth/login", new { email = account.Email, password = $"typo-{attempt:D4}" });
            await ProblemAssert.IsProblemAsync(wrong, HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        }

        await TestAccounts.LoginAsync(api.Client, account.Email);
    }

    [Fact]
    public async Task Forwarded_addresses_count_only_from_a_trusted_proxy()
    {
        var trustedSettings = new Dictionary<string, string>(Limits(anonymous: 2)) { ["Azora:Api:TrustedProxies:0"] = "127.0.0.0/8" };
        await using var behindProxy = await ApiInstance.StartAsync(stack, trustedSettings);
        await using var exposed = await ApiInstance.StartAsync(stack, Limits(anonymous: 2));

        await AssertStatusesAsync(behindProxy, "203.0.113.1", HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests);
        await AssertStatusesAsync(behindProxy, "203.0.113.2", HttpStatusCode.OK);

        // Without trust the header is ignored: every "client" is the same loopback caller.
        await AssertStatusesAsync(exposed, "203.0.113.1", HttpStatusCode.OK);
        await AssertStatusesAsync(exposed, "203.0.113.2", HttpStatusCode.OK);
        await AssertStatusesAsync(exposed, "203.0.113.3", HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Health_liveness_and_metrics_are_never_limited()
    {
        await using var api = await ApiInstance.StartAsync(stack, Limits(anonymous: 1));

        foreach (var path in new[] { "/alive", "/alive", "/metrics", "/metrics" })
        {
            using var response = await api.Client.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.False(response.Headers.Contains("X-RateLimit-Limit"));
        }
    }

    [Fact]
    public async Task With_redis_down_the_api_keeps_serving_and_logged_out_tokens_stay_refused()
    {
        await using var api = await ApiInstance.StartAsync(stack, Limits(anonymous: 1), cacheConnectionString: ApiInstance.UnreachableEndpoint());

        var session = await TestAccounts.RegisterAsync(api.Client);
        var again = await TestAccounts.LoginAsync(api.Client, session.Email);
        using (var profile = await api.Client.GetAsync("/api/auth/profile", again.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
            Assert.False(profile.Headers.Contains("X-RateLimit-Limit"));
        }

        using (var logout = await api.Client.SendJsonAsync(HttpMethod.Post, "/api/auth/logout", null, again.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        }

        using (var afterLogout = await api.Client.GetAsync("/api/auth/profile", again.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(afterLogout, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }

        using (var health = await api.Client.GetAsync("/health"))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            var body = await health.JsonAsync();
            Assert.Equal("Degraded", body.GetProperty("status").GetString());
            Assert.Equal("Degraded", body.GetProperty("checks").GetProperty("StackExchange.Redis").GetString());
            Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("PostgreSql").GetString());
        }

        using var metrics = await api.Client.GetAsync("/metrics");
        var text = await metrics.Content.ReadAsStringAsync();
        Assert.Matches("azora_ratelimit_fail_open_total\\{[^}]*policy=\"anonymous\"[^}]*\\} [1-9]", text);
        Assert.Matches("azora_auth_denylist_fallbacks_total(\\{[^}]*\\})? [1-9]", text);
    }

    private static async Task AssertStatusesAsync(ApiInstance api, string forwardedFor, params HttpStatusCode[] expected)
    {
        foreach (var status in expected)
        {
            using var response = await api.Client.SendJsonAsync(HttpMethod.Get, "/.well-known/jwks.json", null, forwardedFor: forwardedFor);
            Assert.True(status == response.StatusCode, $"{forwardedFor}: {(int)response.StatusCode} remaining {string.Join(",", response.Headers.Where(h => h.Key.StartsWith("X-")).Select(h => h.Key + "=" + string.Join(";", h.Value)))}");
        }
    }

    private static async Task AssertTooManyRequestsAsync(HttpResponseMessage response, int limit, int maximumRetryAfter)
    {
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.TooManyRequests, "RATE_LIMIT_EXCEEDED");
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        Assert.Equal(limit.ToString(), response.Header("X-RateLimit-Limit"));
        Assert.Equal("0", response.Header("X-RateLimit-Remaining"));
        Assert.True(long.Parse(response.Header("X-RateLimit-Reset")) > DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        Assert.InRange(int.Parse(response.Header("Retry-After")), 1, maximumRetryAfter);
    }

    private static async Task<HttpResponseMessage> LoginFromAsync(ApiInstance api, string forwardedFor, string email, string password) =>
        await api.Client.SendJsonAsync(HttpMethod.Post, "/api/auth/login", new { email, password }, forwardedFor: forwardedFor);

    private static Dictionary<string, string> Limits(int anonymous = 1000, int authenticated = 1000, int credentials = 1000, int loginAttempts = 1000) => new()
    {
        ["Azora:RateLimits:LoginAttempts:PermitLimit"] = loginAttempts.ToString(),
        ["Azora:RateLimits:KeyPrefix"] = $"test:{Guid.NewGuid():N}",
        ["Azora:RateLimits:Anonymous:PermitLimit"] = anonymous.ToString(),
        ["Azora:RateLimits:Authenticated:PermitLimit"] = authenticated.ToString(),
        ["Azora:RateLimits:Credentials:PermitLimit"] = credentials.ToString(),
    };
}
