using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azora.Tests.Stack;

namespace Azora.Tests.Api;

/// <summary>Partner API keys through the stack's API (and a second replica): lifecycle, scopes, owner checks, limits.</summary>
[Collection(StackCollection.Name)]
public class ApiKeyTests(AzoraStackFixture stack)
{
    private static readonly string[] AllScopes = ["webhooks:manage", "courses:write", "catalog:read"];

    [Fact]
    public async Task A_key_is_shown_once_listed_by_its_hint_and_stored_only_as_its_hash()
    {
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");

        using var created = await client.PostJsonAsync("/api/auth/api-keys", new { name = "LMS sync", scopes = new[] { "webhooks:manage" } }, instructor.AccessToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("no-store", created.Headers.CacheControl?.ToString());
        var body = await created.JsonAsync();
        var key = body.GetProperty("key").GetString()!;
        var id = body.GetProperty("id").GetGuid();
        Assert.Matches("^azk_[A-Za-z0-9_-]{43}$", key);
        Assert.Equal($"azk_…{key[^4..]}", body.GetProperty("hint").GetString());
        Assert.Equal($"/api/auth/api-keys/{id}", created.Headers.Location?.ToString());

        using var listed = await client.GetAsync("/api/auth/api-keys", instructor.AccessToken);
        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        var text = await listed.Content.ReadAsStringAsync();
        Assert.DoesNotContain(key[4..], text);
        var entry = JsonDocument.Parse(text).RootElement.EnumerateArray().Single();
        Assert.Equal(id, entry.GetProperty("id").GetGuid());
        Assert.Equal("LMS sync", entry.GetProperty("name").GetString());
        Assert.Equal(["webhooks:manage"], entry.GetProperty("scopes").EnumerateArray().Select(scope => scope.GetString()));
        Assert.False(entry.TryGetProperty("key", out _));
        Assert.Equal(JsonValueKind.Null, entry.GetProperty("lastUsedAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, entry.GetProperty("expiresAt").ValueKind);

        // At rest: the SHA-256 of the key, and no column holding the key or its secret part.
        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM api_keys WHERE id = @id AND key_hash = @hash", new { id, hash = SHA256.HashData(Encoding.UTF8.GetBytes(key)) }));
        Assert.Equal(0, await stack.CountAsync("SELECT count(*) FROM api_keys k WHERE id = @id AND position(@secret IN row_to_json(k)::text) > 0", new { id, secret = key[4..] }));

        // Using it records lastUsedAt; the list still never shows the key.
        using (var used = await client.GetAsync("/api/webhooks", key))
        {
            Assert.Equal(HttpStatusCode.OK, used.StatusCode);
        }

        using var again = await client.GetAsync("/api/auth/api-keys", instructor.AccessToken);
        var againText = await again.Content.ReadAsStringAsync();
        Assert.DoesNotContain(key[4..], againText);
        Assert.Equal(JsonValueKind.String, JsonDocument.Parse(againText).RootElement[0].GetProperty("lastUsedAt").ValueKind);
    }

    [Fact]
    public async Task A_key_acts_as_its_owner_within_its_scopes()
    {
        using var receiver = new WebhookReceiver();
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var key = await CreateKeyAsync(client, instructor, "webhooks:manage");

        using (var subscribed = await client.PostJsonAsync("/api/webhooks", new { url = receiver.Url, events = new[] { "ping" } }, key))
        {
            Assert.Equal(HttpStatusCode.Created, subscribed.StatusCode);
        }

        // The subscription is the owner's: the owner's access token sees it.
        using (var mine = await client.GetAsync("/api/webhooks", instructor.AccessToken))
        {
            Assert.Single((await mine.JsonAsync()).EnumerateArray());
        }

        using (var course = await client.PostJsonAsync("/api/education/courses", new { title = "By key" }, key))
        {
            var problem = await ProblemAssert.IsProblemAsync(course, HttpStatusCode.Forbidden, "INSUFFICIENT_SCOPE");
            Assert.Contains("courses:write", problem.GetProperty("detail").GetString());
            Assert.Contains("insufficient_scope", course.Headers.WwwAuthenticate.ToString());
        }

        using (var catalog = await client.GetAsync("/api/education/courses", key))
        {
            await ProblemAssert.IsProblemAsync(catalog, HttpStatusCode.Forbidden, "INSUFFICIENT_SCOPE");
        }

        var reader = await CreateKeyAsync(client, instructor, "catalog:read", "courses:write");
        using (var catalog = await client.GetAsync("/api/education/courses", reader))
        {
            Assert.Equal(HttpStatusCode.OK, catalog.StatusCode);
        }

        using (var hooks = await client.GetAsync("/api/webhooks", reader))
        {
            await ProblemAssert.IsProblemAsync(hooks, HttpStatusCode.Forbidden, "INSUFFICIENT_SCOPE");
        }
    }

    [Fact]
    public async Task A_key_never_reaches_account_password_api_key_payment_or_admin_endpoints()
    {
        using var client = stack.CreateApiClient();
        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");
        var key = await CreateKeyAsync(client, admin, AllScopes);

        var refused = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Get, "/api/auth/profile", null),
            (HttpMethod.Patch, "/api/auth/profile", new { name = "Renamed by a key" }),
            (HttpMethod.Post, "/api/auth/password", new { currentPassword = TestAccounts.Password, newPassword = "a-new-lantern-by-the-river" }),
            (HttpMethod.Post, "/api/auth/logout", null),
            (HttpMethod.Get, "/api/auth/api-keys", null),
            (HttpMethod.Post, "/api/auth/api-keys", new { name = "key-made-key", scopes = AllScopes }),
            (HttpMethod.Delete, $"/api/auth/api-keys/{Guid.NewGuid()}", null),
            (HttpMethod.Get, "/api/admin/users", null),
            (HttpMethod.Post, $"/api/admin/users/{admin.UserId}/disable", null),
            (HttpMethod.Get, "/api/pay/payments", null),
            (HttpMethod.Get, "/api/education/enrollments", null),
        };
        foreach (var (method, path, body) in refused)
        {
            using var response = await client.SendJsonAsync(method, path, body, key);
            await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Forbidden, "API_KEY_NOT_ACCEPTED");
        }

        // Nothing changed: the owner still signs in with the old password, and has only the one key.
        await TestAccounts.LoginAsync(client, admin.Email);
        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM api_keys WHERE user_id = @id", new { id = admin.UserId }));
    }

    [Fact]
    public async Task Unknown_altered_expired_and_revoked_keys_are_refused()
    {
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var key = await CreateKeyAsync(client, instructor, "webhooks:manage");
        var expiring = await CreateKeyAsync(client, instructor, "webhooks:manage");
        using (var works = await client.GetAsync("/api/webhooks", expiring))
        {
            Assert.Equal(HttpStatusCode.OK, works.StatusCode);
        }

        await stack.ExecuteAsync("UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE key_hash = @hash", new { hash = SHA256.HashData(Encoding.UTF8.GetBytes(expiring)) });
        var altered = key[..^1] + (key[^1] == 'A' ? 'B' : 'A');
        foreach (var wrong in new[] { "azk_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_'), altered, key + new string('x', 100), "azk_" })
        {
            using var response = await client.GetAsync("/api/webhooks", wrong);
            await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await EventuallyStatusAsync(client, expiring, HttpStatusCode.Unauthorized));

        var id = await KeyIdAsync(key);
        var other = await TestRoles.SignInAsAsync(stack, client, "instructor");
        using (var notTheirs = await client.SendJsonAsync(HttpMethod.Delete, $"/api/auth/api-keys/{id}", null, other.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(notTheirs, HttpStatusCode.NotFound, "NOT_FOUND");
        }

        using (var revoked = await client.SendJsonAsync(HttpMethod.Delete, $"/api/auth/api-keys/{id}", null, instructor.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        }

        using (var refused = await client.GetAsync("/api/webhooks", key))
        {
            var problem = await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
            Assert.Contains("revoked", problem.GetProperty("detail").GetString());
        }

        using (var twice = await client.SendJsonAsync(HttpMethod.Delete, $"/api/auth/api-keys/{id}", null, instructor.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(twice, HttpStatusCode.NotFound, "NOT_FOUND");
        }

        using var listed = await client.GetAsync("/api/auth/api-keys", instructor.AccessToken);
        Assert.DoesNotContain(id.ToString(), await listed.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Revocation_reaches_every_replica_even_after_the_key_was_cached_there()
    {
        await using var replica = await ApiInstance.StartAsync(stack, new Dictionary<string, string>());
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var key = await CreateKeyAsync(client, instructor, "webhooks:manage");
        for (var use = 0; use < 3; use++)
        {
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(client, key));
            Assert.Equal(HttpStatusCode.OK, await StatusAsync(replica.Client, key));
        }

        using (var revoked = await client.SendJsonAsync(HttpMethod.Delete, $"/api/auth/api-keys/{await KeyIdAsync(key)}", null, instructor.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await StatusAsync(client, key));
        // The other replica hears of it by PostgreSQL's notification when the revocation commits.
        Assert.Equal(HttpStatusCode.Unauthorized, await EventuallyStatusAsync(replica.Client, key, HttpStatusCode.Unauthorized));
    }

    [Fact]
    public async Task A_key_loses_its_power_when_its_owner_loses_the_role_in_sql_or_by_an_admin()
    {
        using var client = stack.CreateApiClient();
        var (instructor, admin, key) = await InstructorKeyAndAdminAsync(client);

        await stack.ExecuteAsync("UPDATE users SET roles = ARRAY['learner'] WHERE id = @id", new { id = instructor.UserId });
        Assert.Equal(HttpStatusCode.Unauthorized, await EventuallyStatusAsync(client, key, HttpStatusCode.Unauthorized));

        await stack.ExecuteAsync("UPDATE users SET roles = ARRAY['learner', 'instructor'] WHERE id = @id", new { id = instructor.UserId });
        Assert.Equal(HttpStatusCode.OK, await EventuallyStatusAsync(client, key, HttpStatusCode.OK));

        using (var demoted = await client.SendJsonAsync(HttpMethod.Put, $"/api/admin/users/{instructor.UserId}/roles", new { roles = Array.Empty<string>() }, admin.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, demoted.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await EventuallyStatusAsync(client, key, HttpStatusCode.Unauthorized));
        using (var refused = await client.GetAsync("/api/webhooks", key))
        {
            var problem = await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
            Assert.Contains("no longer an instructor or admin", problem.GetProperty("detail").GetString());
        }
    }

    [Fact]
    public async Task A_disabled_owners_keys_are_refused()
    {
        using var client = stack.CreateApiClient();
        var (instructor, admin, key) = await InstructorKeyAndAdminAsync(client);

        using (var disabled = await client.PostJsonAsync($"/api/admin/users/{instructor.UserId}/disable", new { }, admin.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await EventuallyStatusAsync(client, key, HttpStatusCode.Unauthorized));
        using (var refused = await client.GetAsync("/api/webhooks", key))
        {
            var problem = await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
            Assert.Contains("disabled", problem.GetProperty("detail").GetString());
        }

        using (var enabled = await client.PostJsonAsync($"/api/admin/users/{instructor.UserId}/enable", new { }, admin.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
        }

        Assert.Equal(HttpStatusCode.OK, await EventuallyStatusAsync(client, key, HttpStatusCode.OK));
    }

    [Fact]
    public async Task Each_key_is_rate_limited_on_its_own()
    {
        await using var api = await ApiInstance.StartAsync(stack, new Dictionary<string, string> { ["Azora:RateLimits:Authenticated:PermitLimit"] = "3" });
        var instructor = await TestRoles.SignInAsAsync(stack, api.Client, "instructor");
        var first = await CreateKeyAsync(api.Client, instructor, "webhooks:manage");
        var second = await CreateKeyAsync(api.Client, instructor, "webhooks:manage");

        for (var request = 0; request < 3; request++)
        {
            using var allowed = await api.Client.GetAsync("/api/webhooks", first);
            Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
            Assert.Equal((2 - request).ToString(), allowed.Header("X-RateLimit-Remaining"));
        }

        using (var refused = await api.Client.GetAsync("/api/webhooks", first))
        {
            await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.TooManyRequests, "RATE_LIMIT_EXCEEDED");
        }

        using var other = await api.Client.GetAsync("/api/webhooks", second);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
        Assert.Equal("2", other.Header("X-RateLimit-Remaining"));
    }

    [Fact]
    public async Task Bad_input_is_a_validation_error_and_only_instructors_and_admins_make_keys()
    {
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var cases = new (object Body, string Field)[]
        {
            (new { scopes = new[] { "webhooks:manage" } }, "name"),
            (new { name = "  ", scopes = new[] { "webhooks:manage" } }, "name"),
            (new { name = new string('n', 101), scopes = new[] { "webhooks:manage" } }, "name"),
            (new { name = "sync" }, "scopes"),
            (new { name = "sync", scopes = Array.Empty<string>() }, "scopes"),
            (new { name = "sync", scopes = new[] { "admin" } }, "scopes"),
            (new { name = "sync", scopes = new[] { "webhooks:manage" }, expiresAt = DateTimeOffset.UtcNow.AddMinutes(-1) }, "expiresAt"),
            (new { name = "sync", scopes = new[] { "webhooks:manage" }, expiresAt = DateTimeOffset.UtcNow.AddYears(2) }, "expiresAt"),
        };
        foreach (var (body, field) in cases)
        {
            using var response = await client.PostJsonAsync("/api/auth/api-keys", body, instructor.AccessToken);
            await ProblemAssert.IsValidationProblemAsync(response, field);
        }

        Assert.Equal(0, await stack.CountAsync("SELECT count(*) FROM api_keys WHERE user_id = @id", new { id = instructor.UserId }));

        var learner = await TestAccounts.RegisterAsync(client);
        using (var forbidden = await client.PostJsonAsync("/api/auth/api-keys", new { name = "sync", scopes = AllScopes }, learner.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(forbidden, HttpStatusCode.Forbidden, "FORBIDDEN");
        }

        using var anonymous = await client.PostJsonAsync("/api/auth/api-keys", new { name = "sync", scopes = AllScopes });
        await ProblemAssert.IsProblemAsync(anonymous, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Fact]
    public async Task The_openapi_document_declares_the_key_scheme_and_the_scope_of_each_operation_that_accepts_keys()
    {
        using var client = stack.CreateApiClient();
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var root = document.RootElement;
        var scheme = root.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());

        var paths = root.GetProperty("paths");
        Assert.Equal(["webhooks:manage"], KeyScopes(paths.GetProperty("/api/webhooks").GetProperty("get")));
        Assert.Equal(["courses:write"], KeyScopes(paths.GetProperty("/api/education/courses").GetProperty("post")));
        Assert.Equal(["catalog:read"], KeyScopes(paths.GetProperty("/api/education/courses").GetProperty("get")));
        Assert.Empty(KeyScopes(paths.GetProperty("/api/auth/api-keys").GetProperty("post")));
        Assert.Empty(KeyScopes(paths.GetProperty("/api/auth/profile").GetProperty("get")));
        Assert.Empty(KeyScopes(paths.GetProperty("/api/admin/users").GetProperty("get")));
    }

    private static List<string?> KeyScopes(JsonElement operation) =>
        operation.TryGetProperty("security", out var security)
            ? security.EnumerateArray().Where(requirement => requirement.TryGetProperty("ApiKey", out _))
                .SelectMany(requirement => requirement.GetProperty("ApiKey").EnumerateArray().Select(scope => scope.GetString())).ToList()
            : [];

    /// <summary>An instructor with a working <c>webhooks:manage</c> key, and an admin to change the instructor's account.</summary>
    private async Task<(SignedIn Instructor, SignedIn Admin, string Key)> InstructorKeyAndAdminAsync(HttpClient client)
    {
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");
        var key = await CreateKeyAsync(client, instructor, "webhooks:manage");
        Assert.Equal(HttpStatusCode.OK, await StatusAsync(client, key));
        return (instructor, admin, key);
    }

    private static async Task<string> CreateKeyAsync(HttpClient client, SignedIn owner, params string[] scopes)
    {
        using var response = await client.PostJsonAsync("/api/auth/api-keys", new { name = "test integration", scopes }, owner.AccessToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return (await response.JsonAsync()).GetProperty("key").GetString()!;
    }

    private async Task<Guid> KeyIdAsync(string key) =>
        Guid.Parse((await StackDatabase.ScalarAsync(await stack.ConnectionStringAsync("azora"), "SELECT id::text FROM api_keys WHERE key_hash = @hash",
            new { hash = SHA256.HashData(Encoding.UTF8.GetBytes(key)) }))!);

    private static async Task<HttpStatusCode> StatusAsync(HttpClient client, string key)
    {
        using var response = await client.GetAsync("/api/webhooks", key);
        return response.StatusCode;
    }

    /// <summary>A change made in SQL reaches the replica's key cache by PostgreSQL's notification, a moment after it commits.</summary>
    private static Task<HttpStatusCode> EventuallyStatusAsync(HttpClient client, string key, HttpStatusCode expected) =>
        Eventually.ReadAsync(() => StatusAsync(client, key), status => status == expected, 50, TimeSpan.FromMilliseconds(100));
}
