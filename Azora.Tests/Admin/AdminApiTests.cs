using System.Net;
using System.Text.Json;
using Azora.Tests.Api;
using Azora.Tests.Stack;

namespace Azora.Tests.Admin;

/// <summary>User administration through the stack's API: who may, roles, disabling, the audit log and its events.</summary>
[Collection(StackCollection.Name)]
public class AdminApiTests(AzoraStackFixture stack)
{
    public static TheoryData<string, string> Endpoints => new()
    {
        { "GET", "/api/admin/users" },
        { "GET", $"/api/admin/users/{Guid.NewGuid()}" },
        { "PUT", $"/api/admin/users/{Guid.NewGuid()}/roles" },
        { "POST", $"/api/admin/users/{Guid.NewGuid()}/disable" },
        { "POST", $"/api/admin/users/{Guid.NewGuid()}/enable" },
        { "GET", "/api/admin/audit" },
    };

    [Theory]
    [MemberData(nameof(Endpoints))]
    public async Task Only_admins_get_in(string method, string path)
    {
        using var client = stack.CreateApiClient();
        var learner = await TestAccounts.RegisterAsync(client);
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        object body = new { roles = new[] { "admin" } };

        using (var anonymous = await client.SendJsonAsync(new HttpMethod(method), path, body))
        {
            await ProblemAssert.IsProblemAsync(anonymous, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }

        foreach (var user in new[] { learner, instructor })
        {
            using var refused = await client.SendJsonAsync(new HttpMethod(method), path, body, user.AccessToken);
            await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Forbidden, "FORBIDDEN");
        }
    }

    [Fact]
    public async Task Users_are_paged_and_found_by_email_or_name_and_by_role()
    {
        using var client = stack.CreateApiClient();
        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");
        var tag = Guid.NewGuid().ToString("N")[..10];
        var learners = new List<SignedIn>();
        for (var i = 0; i < 3; i++)
        {
            learners.Add(await TestAccounts.RegisterAsync(client, $"find-{tag}-{i}@example.com", name: $"Person {i}"));
        }

        var named = await TestAccounts.RegisterAsync(client, TestAccounts.NewEmail("named"), name: $"Zed {tag.ToUpperInvariant()}");
        await SetRolesAsync(client, admin, named.UserId, ["instructor"]);

        var page = await GetJsonAsync(client, admin, $"/api/admin/users?q=find-{tag}&limit=2");
        Assert.Equal(3, page.GetProperty("pagination").GetProperty("total").GetInt64());
        Assert.Equal(2, page.GetProperty("pagination").GetProperty("pages").GetInt64());
        Assert.Equal([learners[0].UserId, learners[1].UserId], page.GetProperty("data").EnumerateArray().Select(user => user.GetProperty("id").GetGuid()));
        var second = await GetJsonAsync(client, admin, $"/api/admin/users?q=find-{tag}&limit=2&page=2");
        Assert.Equal(learners[2].UserId, second.GetProperty("data").EnumerateArray().Single().GetProperty("id").GetGuid());

        var byName = await GetJsonAsync(client, admin, $"/api/admin/users?q=zed%20{tag}");
        Assert.Equal(named.UserId, byName.GetProperty("data").EnumerateArray().Single().GetProperty("id").GetGuid());
        var instructors = await GetJsonAsync(client, admin, $"/api/admin/users?q={tag}&role=instructor");
        Assert.Equal(named.UserId, instructors.GetProperty("data").EnumerateArray().Single().GetProperty("id").GetGuid());
        var wildcard = await GetJsonAsync(client, admin, $"/api/admin/users?q=find-{tag}%25");
        Assert.Equal(0, wildcard.GetProperty("pagination").GetProperty("total").GetInt64());

        var one = await GetJsonAsync(client, admin, $"/api/admin/users/{named.UserId}");
        Assert.Equal(["learner", "instructor"], one.GetProperty("roles").EnumerateArray().Select(role => role.GetString()));
        Assert.False(one.GetProperty("disabled").GetBoolean());
        using var missing = await client.GetAsync($"/api/admin/users/{Guid.NewGuid()}", admin.AccessToken);
        await ProblemAssert.IsProblemAsync(missing, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Theory]
    [InlineData("/api/admin/users?role=owner", "role")]
    [InlineData("/api/admin/users?limit=0", "limit")]
    [InlineData("/api/admin/users?page=x", "page")]
    [InlineData("/api/admin/audit?limit=1000", "limit")]
    public async Task Bad_list_parameters_are_validation_errors_naming_the_field(string path, string field)
    {
        using var client = stack.CreateApiClient();
        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");

        using var response = await client.GetAsync(path, admin.AccessToken);

        await ProblemAssert.IsValidationProblemAsync(response, field);
    }

    [Fact]
    public async Task Bad_roles_are_validation_errors_and_an_unknown_user_is_not_found()
    {
        using var client = stack.CreateApiClient();
        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");
        var learner = await TestAccounts.RegisterAsync(client);

        foreach (var body in new object[] { new { roles = new[] { "owner" } }, new { roles = (string[]?)null }, new { } })
        {
            using var response = await client.SendJsonAsync(HttpMethod.Put, $"/api/admin/users/{learner.UserId}/roles", body, admin.AccessToken);
            await ProblemAssert.IsValidationProblemAsync(response, "roles");
        }

        using var missing = await client.SendJsonAsync(HttpMethod.Put, $"/api/admin/users/{Guid.NewGuid()}/roles", new { roles = new[] { "admin" } }, admin.AccessToken);
        await ProblemAssert.IsProblemAsync(missing, HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Equal(0, await stack.CountAsync("SELECT count(*) FROM admin_audit WHERE target_user_id = @id", new { id = learner.UserId }));
    }

    [Fact]
    public async Task Granting_a_role_signs_the_user_out_so_the_next_token_carries_it_and_records_who_what_and_the_trace()
    {
        using var client = stack.CreateApiClient();
        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");
        var learner = await TestAccounts.RegisterAsync(client);
        var traceId = Convert.ToHexString(Guid.NewGuid().ToByteArray()).ToLowerInvariant();

        using (var request = new HttpRequestMessage(HttpMethod.Put, $"/api/admin/users/{learner.UserId}/roles"))
        {
            request.Content = System.Net.Http.Json.JsonContent.Create(new { roles = new[] { "instructor" } });
            request.Headers.Authorization = new("Bearer", admin.AccessToken);
            request.Headers.Add("traceparent", $"00-{traceId}-{new string('1', 16)}-01");
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(["learner", "instructor"], (await response.JsonAsync()).GetProperty("roles").EnumerateArray().Select(role => role.GetString()));
        }

        // The old token (roles: learner) no longer works anywhere, nor does its refresh token.
        using (var stale = await client.GetAsync("/api/auth/profile", learner.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(stale, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }

        using (var refresh = await client.PostJsonAsync("/api/auth/refresh", new { refreshToken = learner.RefreshToken }))
        {
            await ProblemAssert.IsProblemAsync(refresh, HttpStatusCode.Unauthorized, "INVALID_REFRESH_TOKEN");
        }

        var again = await TestAccounts.LoginAsync(client, learner.Email);
        await Courses.CreateAsync(client, again, lessons: 0, publish: false);

        var entry = (await GetJsonAsync(client, admin, "/api/admin/audit?limit=100")).GetProperty("data").EnumerateArray()
            .Single(row => row.GetProperty("targetUserId").GetString() == learner.UserId.ToString());
        Assert.Equal("user.roles_changed", entry.GetProperty("action").GetString());
        Assert.Equal(admin.UserId, entry.GetProperty("actorId").GetGuid());
        Assert.Equal(admin.Email, entry.GetProperty("actor").GetString());
        Assert.Equal(["learner"], entry.GetProperty("before").GetProperty("roles").EnumerateArray().Select(role => role.GetString()));
        Assert.Equal(["learner", "instructor"], entry.GetProperty("after").GetProperty("roles").EnumerateArray().Select(role => role.GetString()));
        Assert.Equal(traceId, entry.GetProperty("traceId").GetString());
        Assert.Equal(1, await stack.CountAsync(
            "SELECT count(*) FROM outbox_events WHERE type = 'user.roles_changed' AND payload ->> 'userId' = @id", new { id = learner.UserId.ToString() }));

        // The same roles again change nothing and record nothing.
        await SetRolesAsync(client, admin, learner.UserId, ["instructor"]);
        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM admin_audit WHERE target_user_id = @id", new { id = learner.UserId }));
    }

    [Fact]
    public async Task A_disabled_user_is_signed_out_everywhere_and_cannot_sign_in_until_enabled()
    {
        using var client = stack.CreateApiClient();
        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");
        var user = await TestAccounts.RegisterAsync(client);
        var otherSession = await TestAccounts.LoginAsync(client, user.Email);

        using (var disabled = await client.PostJsonAsync($"/api/admin/users/{user.UserId}/disable", new { }, admin.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
            Assert.True((await disabled.JsonAsync()).GetProperty("disabled").GetBoolean());
        }

        foreach (var session in new[] { user, otherSession })
        {
            using var token = await client.GetAsync("/api/auth/profile", session.AccessToken);
            await ProblemAssert.IsProblemAsync(token, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
            using var refresh = await client.PostJsonAsync("/api/auth/refresh", new { refreshToken = session.RefreshToken });
            await ProblemAssert.IsProblemAsync(refresh, HttpStatusCode.Unauthorized, "INVALID_REFRESH_TOKEN");
        }

        using (var login = await client.PostJsonAsync("/api/auth/login", new { email = user.Email, password = TestAccounts.Password }))
        {
            await ProblemAssert.IsProblemAsync(login, HttpStatusCode.Forbidden, "ACCOUNT_DISABLED");
        }

        using (var wrongPassword = await client.PostJsonAsync("/api/auth/login", new { email = user.Email, password = "not-the-password-at-all" }))
        {
            await ProblemAssert.IsProblemAsync(wrongPassword, HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        }

        Assert.Equal(1, await stack.CountAsync(
            "SELECT count(*) FROM outbox_events WHERE type = 'user.disabled' AND payload ->> 'userId' = @id", new { id = user.UserId.ToString() }));

        using (var enabled = await client.PostJsonAsync($"/api/admin/users/{user.UserId}/enable", new { }, admin.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, enabled.StatusCode);
        }

        await TestAccounts.LoginAsync(client, user.Email);
        Assert.Equal(
            ["user.disabled", "user.enabled"],
            await ActionsAsync(await stack.ConnectionStringAsync("azora"), user.UserId));
    }

    [Fact]
    public async Task An_admin_subscription_receives_role_changes()
    {
        using var receiver = new WebhookReceiver();
        using var client = stack.CreateApiClient();
        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");
        using (var subscribed = await client.PostJsonAsync("/api/webhooks", new { url = receiver.Url, events = new[] { "user.roles_changed" } }, admin.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Created, subscribed.StatusCode);
        }

        var learner = await TestAccounts.RegisterAsync(client);
        await SetRolesAsync(client, admin, learner.UserId, ["instructor"]);

        var webhook = (await receiver.WaitForAsync(1)).Single();
        using var envelope = JsonDocument.Parse(webhook.Body);
        Assert.Equal("user.roles_changed", envelope.RootElement.GetProperty("type").GetString());
        var data = envelope.RootElement.GetProperty("data");
        Assert.Equal(learner.UserId, data.GetProperty("userId").GetGuid());
        Assert.Equal(admin.UserId, data.GetProperty("changedBy").GetGuid());
    }

    [Fact]
    public async Task A_disabled_admins_subscriptions_receive_nothing_more()
    {
        using var client = stack.CreateApiClient();
        var disabled = await TestRoles.SignInAsAsync(stack, client, "admin");
        var other = await TestRoles.SignInAsAsync(stack, client, "admin");
        var disabledSubscription = await SubscribeAsync(client, disabled, "user.disabled");
        var otherSubscription = await SubscribeAsync(client, other, "user.disabled");

        using (var disable = await client.PostJsonAsync($"/api/admin/users/{disabled.UserId}/disable", new { }, other.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, disable.StatusCode);
        }

        // Once the relay has fanned the event out, the other admin's subscription has its delivery and the disabled one's none.
        const string Dispatched = "SELECT count(*) FROM outbox_events WHERE type = 'user.disabled' AND payload ->> 'userId' = @id AND dispatched_at IS NOT NULL";
        Assert.Equal(1, await Eventually.ReadAsync(
            () => stack.CountAsync(Dispatched, new { id = disabled.UserId.ToString() }), count => count == 1, attempts: 100, TimeSpan.FromMilliseconds(200)));
        const string Deliveries = "SELECT count(*) FROM webhook_deliveries WHERE subscription_id = @subscription";
        Assert.Equal(1, await stack.CountAsync(Deliveries, new { subscription = otherSubscription }));
        Assert.Equal(0, await stack.CountAsync(Deliveries, new { subscription = disabledSubscription }));
    }

    private static async Task<Guid> SubscribeAsync(HttpClient client, SignedIn admin, string @event)
    {
        using var receiver = new WebhookReceiver();
        using var subscribed = await client.PostJsonAsync("/api/webhooks", new { url = receiver.Url, events = new[] { @event } }, admin.AccessToken);
        Assert.Equal(HttpStatusCode.Created, subscribed.StatusCode);
        return (await subscribed.JsonAsync()).GetProperty("id").GetGuid();
    }

    [Fact]
    public async Task The_audit_table_refuses_updates_and_deletes()
    {
        using var client = stack.CreateApiClient();
        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");
        var learner = await TestAccounts.RegisterAsync(client);
        await SetRolesAsync(client, admin, learner.UserId, ["instructor"]);

        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => stack.ExecuteAsync("UPDATE admin_audit SET actor = 'someone else' WHERE target_user_id = @id", new { id = learner.UserId }));
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => stack.ExecuteAsync("DELETE FROM admin_audit WHERE target_user_id = @id", new { id = learner.UserId }));
        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM admin_audit WHERE target_user_id = @id AND actor = @email", new { id = learner.UserId, email = admin.Email }));
    }

    internal static async Task SetRolesAsync(HttpClient client, SignedIn admin, Guid userId, string[] roles)
    {
        using var response = await client.SendJsonAsync(HttpMethod.Put, $"/api/admin/users/{userId}/roles", new { roles }, admin.AccessToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    internal static async Task<string[]> ActionsAsync(string connectionString, Guid userId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(connectionString);
        return [.. await Dapper.SqlMapper.QueryAsync<string>(
            connection, "SELECT action FROM admin_audit WHERE target_user_id = @userId ORDER BY occurred_at, id", new { userId })];
    }

    private static async Task<JsonElement> GetJsonAsync(HttpClient client, SignedIn admin, string path)
    {
        using var response = await client.GetAsync(path, admin.AccessToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.JsonAsync();
    }
}
