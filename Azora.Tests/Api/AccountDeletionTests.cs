using System.Net;
using System.Text.Json;
using Azora.Tests.Stack;
using Dapper;
using Npgsql;

namespace Azora.Tests.Api;

[Collection(StackCollection.Name)]
public class AccountDeletionTests(AzoraStackFixture stack)
{
    private const string DeletedSubject = "Your Azora account has been deleted";

    [Fact]
    public async Task Deletion_erases_the_person_from_every_table_keeps_enrollments_and_payments_and_frees_the_address()
    {
        using var client = stack.CreateApiClient();
        var otherAdmin = await TestRoles.SignInAsAsync(stack, client, "admin");
        var teacher = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var theirCourse = await Courses.CreateAsync(client, teacher, lessons: 1);

        var unique = Guid.NewGuid().ToString("N")[..12];
        var email = $"Erasable.{unique}@Example.com";
        var name = $"Zephyrine Quill {unique}";
        var bio = $"Collector of rare quills {unique}";
        var registered = await TestAccounts.RegisterAsync(client, email, name: name);
        await stack.ExecuteAsync("UPDATE users SET roles = ARRAY['learner', 'instructor', 'admin'] WHERE id = @id", new { id = registered.UserId });
        var person = await TestAccounts.LoginAsync(client, email);
        using (var profile = await client.SendJsonAsync(HttpMethod.Patch, "/api/auth/profile", new { bio }, person.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
        }

        // What the person did and owns: a course they teach, an API key, a webhook subscription, an enrollment with a
        // certificate, a payment, an admin action, outstanding reset links and mail, and audit rows about them.
        var ownCourse = await Courses.CreateAsync(client, person, lessons: 1);
        Assert.Contains(name, (await Courses.GetAsync(client, ownCourse.Id.ToString())).GetRawText());
        string apiKey;
        using (var key = await client.PostJsonAsync("/api/auth/api-keys", new { name = "Hook sync", scopes = new[] { "webhooks:manage" } }, person.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Created, key.StatusCode);
            apiKey = (await key.JsonAsync()).GetProperty("key").GetString()!;
        }

        using (var byKey = await client.GetAsync("/api/webhooks", apiKey))
        {
            Assert.Equal(HttpStatusCode.OK, byKey.StatusCode);
        }

        using (var hook = await client.PostJsonAsync(
            "/api/webhooks", new { url = "http://127.0.0.1:9/hook", events = new[] { "ping" }, description = $"Hooks of {name}" }, person.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Created, hook.StatusCode);
        }

        using (var enrolled = await client.PostJsonAsync($"/api/education/courses/{theirCourse.Id}/enroll", new { }, person.AccessToken))
        {
            Assert.True(enrolled.IsSuccessStatusCode);
        }

        using (var completed = await client.PostJsonAsync($"/api/education/courses/{theirCourse.Id}/lessons/{theirCourse.LessonIds[0]}/complete", new { }, person.AccessToken))
        {
            Assert.True(completed.IsSuccessStatusCode);
        }

        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM certificates WHERE user_id = @id AND learner_name = @name", new { id = person.UserId, name }));
        var paymentId = Guid.NewGuid();
        await stack.ExecuteAsync(
            """
            INSERT INTO payments (id, user_id, course_id, payment_intent_id, client_secret, amount, currency, status, created_at, updated_at)
            VALUES (@paymentId, @userId, @courseId, @intent, @intent || '_secret', 4900, 'USD', 'succeeded', now(), now())
            """,
            new { paymentId, userId = person.UserId, courseId = theirCourse.Id, intent = $"pi_{unique}" });

        var bystander = await TestAccounts.RegisterAsync(client, TestAccounts.NewEmail("bystander"));
        using (var disabled = await client.PostJsonAsync($"/api/admin/users/{bystander.UserId}/disable", new { }, person.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, disabled.StatusCode);
        }

        // As the operator command records a new admin: the address and name in the entry's "after".
        await stack.ExecuteAsync(
            """
            INSERT INTO admin_audit (id, actor_id, actor, action, target_user_id, before, after, occurred_at)
            VALUES (gen_random_uuid(), NULL, 'operator (Azora.Api admin create)', 'user.admin_created', @id, NULL,
                    jsonb_build_object('email', @email::text, 'name', @name::text, 'roles', ARRAY['learner', 'admin']), now())
            """,
            new { id = person.UserId, email, name });

        using (var reset = await client.PostJsonAsync("/api/auth/password-reset", new { email }))
        {
            Assert.Equal(HttpStatusCode.Accepted, reset.StatusCode);
        }

        // The first is delivered (its row keeps the address after sending); the second may still be waiting.
        await TestInbox.NewestAsync(stack, email, PasswordResetTests.ResetSubject);
        using (var reset = await client.PostJsonAsync("/api/auth/password-reset", new { email }))
        {
            Assert.Equal(HttpStatusCode.Accepted, reset.StatusCode);
        }

        await TestInbox.WaitForWrittenAsync(stack, email, "password_reset", count: 2);
        // Mail to the address with no account named (as a registration attempt is written).
        await stack.ExecuteAsync(
            """
            INSERT INTO mail_messages (id, kind, user_id, recipient, subject, text_body, status, created_at)
            VALUES (gen_random_uuid(), 'registration_attempt', NULL, lower(@email), 'Someone tried to register', 'Hello ' || @name, 'failed', now())
            """,
            new { email, name });
        Assert.NotEmpty(await PersonalDataAsync(email, name, bio));

        using (var deleted = await client.SendJsonAsync(HttpMethod.Delete, "/api/auth/account", new { password = TestAccounts.Password }, person.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        // Nothing of the account works any more, and its address is as unknown as one never registered.
        using (var profile = await client.GetAsync("/api/auth/profile", person.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(profile, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }

        using (var refreshed = await client.PostJsonAsync("/api/auth/refresh", new { refreshToken = person.RefreshToken }))
        {
            await ProblemAssert.IsProblemAsync(refreshed, HttpStatusCode.Unauthorized, "INVALID_REFRESH_TOKEN");
        }

        // The key's cache entry is dropped when its row goes (LISTEN/NOTIFY), a moment after the commit.
        var keyAnswer = await Eventually.ReadAsync(
            async () => { using var byKey = await client.GetAsync("/api/webhooks", apiKey); return byKey.StatusCode; },
            status => status == HttpStatusCode.Unauthorized, attempts: 50, TimeSpan.FromMilliseconds(100));
        Assert.Equal(HttpStatusCode.Unauthorized, keyAnswer);

        using (var login = await client.PostJsonAsync("/api/auth/login", new { email, password = TestAccounts.Password }))
        using (var unknown = await client.PostJsonAsync("/api/auth/login", new { email = TestAccounts.NewEmail("never"), password = TestAccounts.Password }))
        {
            var deletedAnswer = await ProblemAssert.IsProblemAsync(login, HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
            var unknownAnswer = await ProblemAssert.IsProblemAsync(unknown, HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
            Assert.Equal(unknownAnswer.GetProperty("detail").GetString(), deletedAnswer.GetProperty("detail").GetString());
        }

        using (var placeholderLogin = await client.PostJsonAsync("/api/auth/login", new { email = $"deleted-{person.UserId}@deleted.invalid", password = "anything-at-all-here" }))
        {
            await ProblemAssert.IsProblemAsync(placeholderLogin, HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        }

        // The account row stays, anonymised, and so do the records accounting needs.
        await using (var connection = new NpgsqlConnection(await stack.ConnectionStringAsync("azora")))
        {
            var row = await connection.QuerySingleAsync<(string Email, string Name, string? Bio, DateTime? DeletedAt, string[] Roles)>(
                "SELECT email, name, bio, deleted_at, roles FROM users WHERE id = @id", new { id = person.UserId });
            Assert.Equal($"deleted-{person.UserId}@deleted.invalid", row.Email);
            Assert.Equal("Deleted user", row.Name);
            Assert.Null(row.Bio);
            Assert.NotNull(row.DeletedAt);
            Assert.Equal(["learner"], row.Roles);

            Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM enrollments WHERE user_id = @id", new { id = person.UserId }));
            Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM payments WHERE id = @paymentId AND user_id = @id", new { paymentId, id = person.UserId }));
            Assert.Equal(1, await connection.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM certificates WHERE user_id = @id AND learner_name = 'Deleted user'", new { id = person.UserId }));
            foreach (var table in new[] { "api_keys", "account_tokens" })
            {
                Assert.Equal(0, await connection.ExecuteScalarAsync<long>($"SELECT count(*) FROM {table} WHERE user_id = @id", new { id = person.UserId }));
            }

            Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM webhook_subscriptions WHERE owner_id = @id", new { id = person.UserId }));
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM auth_sessions WHERE user_id = @id AND revoked_at IS NULL", new { id = person.UserId }));
            Assert.Equal(2, await connection.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM admin_audit WHERE actor_id = @id OR target_user_id = @id", new { id = person.UserId }));

            // The event names nobody: the id and the time only.
            var payload = await connection.QuerySingleAsync<string>(
                "SELECT payload::text FROM outbox_events WHERE type = 'user.deleted' AND payload ->> 'userId' = @id", new { id = person.UserId.ToString() });
            Assert.Equal(["deletedAt", "userId"], JsonDocument.Parse(payload).RootElement.EnumerateObject().Select(property => property.Name).Order());
        }

        // The farewell mail is the one thing still addressed to the person, until the worker has sent it (it may have already).
        var farewells = await TestInbox.WrittenAsync(stack, email, "account_deleted");
        Assert.InRange(farewells.Count, 0, 1);
        Assert.All(farewells, farewell => Assert.Null(farewell.UserId));
        Assert.All(await PersonalDataAsync(email, name, bio), column => Assert.Equal("public.mail_messages.recipient", column));
        Assert.Equal(0, await stack.CountAsync(
            "SELECT count(*) FROM mail_messages WHERE strpos(lower(recipient), lower(@email)) > 0 AND NOT (kind = 'account_deleted' AND user_id IS NULL)",
            new { email }));

        var delivered = await TestInbox.NewestAsync(stack, email, DeletedSubject);
        Assert.DoesNotContain(name, delivered.Text);
        Assert.Contains("free to register again", delivered.Text);
        var left = await Eventually.ReadAsync(() => PersonalDataAsync(email, name, bio), found => found.Count == 0, attempts: 50, TimeSpan.FromMilliseconds(200));
        Assert.Empty(left);
        Assert.True(await stack.CountAsync(
            """
            SELECT count(*) FROM mail_messages
            WHERE kind = 'account_deleted' AND user_id IS NULL AND status = 'sent' AND recipient = 'erased@deleted.invalid' AND text_body IS NULL
            """) > 0);

        // The course the person taught stays, under the anonymised name: the cached catalog page was evicted.
        var shown = await Courses.GetAsync(client, ownCourse.Id.ToString());
        Assert.DoesNotContain(name, shown.GetRawText(), StringComparison.OrdinalIgnoreCase);
        Assert.Contains("Deleted user", shown.GetRawText());

        // The address is free for a new account.
        var again = await TestAccounts.RegisterAsync(client, email, name: "Someone New");
        Assert.NotEqual(person.UserId, again.UserId);
        Assert.NotNull(otherAdmin);
    }

    [Fact]
    public async Task A_wrong_or_missing_password_is_400_naming_password_and_the_account_stays()
    {
        using var client = stack.CreateApiClient();
        var account = await TestAccounts.RegisterAsync(client, TestAccounts.NewEmail("keep"));

        foreach (object body in new object[] { new { password = "not-my-password-at-all" }, new { password = "" }, new { } })
        {
            using var refused = await client.SendJsonAsync(HttpMethod.Delete, "/api/auth/account", body, account.AccessToken);
            await ProblemAssert.IsValidationProblemAsync(refused, "password");
        }

        using (var anonymous = await client.SendJsonAsync(HttpMethod.Delete, "/api/auth/account", new { password = TestAccounts.Password }))
        {
            await ProblemAssert.IsProblemAsync(anonymous, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }

        await TestAccounts.LoginAsync(client, account.Email);
        Assert.Equal(0, await stack.CountAsync("SELECT count(*) FROM users WHERE id = @id AND deleted_at IS NOT NULL", new { id = account.UserId }));
    }

    [Fact]
    public async Task Admins_cannot_change_roles_or_enable_and_disable_a_deleted_account()
    {
        using var client = stack.CreateApiClient();
        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");
        var person = await TestAccounts.RegisterAsync(client, TestAccounts.NewEmail("gone"));
        using (var deleted = await client.SendJsonAsync(HttpMethod.Delete, "/api/auth/account", new { password = TestAccounts.Password }, person.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        foreach (var (path, body) in new (string, object)[]
                 {
                     ($"/api/admin/users/{person.UserId}/disable", new { }),
                     ($"/api/admin/users/{person.UserId}/enable", new { }),
                     ($"/api/admin/users/{person.UserId}/roles", new { roles = new[] { "admin" } }),
                 })
        {
            using var refused = path.EndsWith("/roles", StringComparison.Ordinal)
                ? await client.SendJsonAsync(HttpMethod.Put, path, body, admin.AccessToken)
                : await client.PostJsonAsync(path, body, admin.AccessToken);
            await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.NotFound, "NOT_FOUND");
        }

        Assert.Equal(1, await stack.CountAsync(
            "SELECT count(*) FROM users WHERE id = @id AND roles = ARRAY['learner'] AND disabled_at IS NULL", new { id = person.UserId }));
    }

    [Fact]
    public async Task Password_attempts_at_deletion_share_the_login_attempts_limit()
    {
        // Four: the sign-in after registering counts one, which leaves three guesses.
        await using var api = await ApiInstance.StartAsync(stack, new Dictionary<string, string> { ["Azora:RateLimits:LoginAttempts:PermitLimit"] = "4" });
        var account = await TestAccounts.RegisterAsync(api.Client, TestAccounts.NewEmail("guessed"));
        for (var attempt = 0; attempt < 3; attempt++)
        {
            using var wrong = await api.Client.SendJsonAsync(HttpMethod.Delete, "/api/auth/account", new { password = $"wrong-password-{attempt:D4}" }, account.AccessToken);
            await ProblemAssert.IsValidationProblemAsync(wrong, "password");
        }

        using var throttled = await api.Client.SendJsonAsync(HttpMethod.Delete, "/api/auth/account", new { password = TestAccounts.Password }, account.AccessToken);
        await ProblemAssert.IsProblemAsync(throttled, HttpStatusCode.TooManyRequests, "RATE_LIMIT_EXCEEDED");
        Assert.InRange(int.Parse(throttled.Header("Retry-After")), 1, 900);
    }

    [Fact]
    public async Task The_only_active_admin_cannot_delete_their_account_until_there_is_another()
    {
        var database = await stack.CreateMigratedDatabaseAsync("lastadmin");
        // Without the sample catalog, whose Development accounts include an admin.
        await using var api = await ApiInstance.StartAsync(
            stack, new Dictionary<string, string> { ["Azora:Education:SeedSampleCatalog"] = "false" }, databaseConnectionString: database);
        var registered = await TestAccounts.RegisterAsync(api.Client, TestAccounts.NewEmail("sole-admin"));
        await StackDatabase.ExecuteAsync(database, "UPDATE users SET roles = ARRAY['learner', 'admin'] WHERE id = @id", new { id = registered.UserId });
        var admin = await TestAccounts.LoginAsync(api.Client, registered.Email);

        using (var refused = await api.Client.SendJsonAsync(HttpMethod.Delete, "/api/auth/account", new { password = TestAccounts.Password }, admin.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Conflict, "CONFLICT");
        }

        var successor = await TestAccounts.RegisterAsync(api.Client, TestAccounts.NewEmail("successor"));
        await StackDatabase.ExecuteAsync(database, "UPDATE users SET roles = ARRAY['learner', 'admin'] WHERE id = @id", new { id = successor.UserId });
        using var deleted = await api.Client.SendJsonAsync(HttpMethod.Delete, "/api/auth/account", new { password = TestAccounts.Password }, admin.AccessToken);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    [Fact]
    public async Task The_export_is_the_users_own_data_as_a_download_without_secrets_and_api_keys_cannot_read_it()
    {
        using var client = stack.CreateApiClient();
        var teacher = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var course = await Courses.CreateAsync(client, teacher, lessons: 2);
        var email = TestAccounts.NewEmail("export");
        var registered = await TestAccounts.RegisterAsync(client, email, name: "Export Person");
        await stack.ExecuteAsync("UPDATE users SET roles = ARRAY['learner', 'instructor'] WHERE id = @id", new { id = registered.UserId });
        var person = await TestAccounts.LoginAsync(client, email);
        using (await client.PostJsonAsync($"/api/education/courses/{course.Id}/enroll", new { }, person.AccessToken))
        using (await client.PostJsonAsync($"/api/education/courses/{course.Id}/lessons/{course.LessonIds[0]}/complete", new { }, person.AccessToken))
        {
        }

        string apiKey;
        using (var key = await client.PostJsonAsync("/api/auth/api-keys", new { name = "Export key", scopes = new[] { "catalog:read", "webhooks:manage" } }, person.AccessToken))
        {
            apiKey = (await key.JsonAsync()).GetProperty("key").GetString()!;
        }

        string webhookSecret;
        using (var hook = await client.PostJsonAsync("/api/webhooks", new { url = "http://127.0.0.1:9/export-hook", events = new[] { "ping" } }, person.AccessToken))
        {
            webhookSecret = (await hook.JsonAsync()).GetProperty("secret").GetString()!;
        }

        using var response = await client.GetAsync("/api/auth/account/export", person.AccessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Matches("^\"?azora-export-\\d{4}-\\d{2}-\\d{2}\\.json\"?$", response.Content.Headers.ContentDisposition?.FileName);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain(apiKey, text);
        Assert.DoesNotContain(webhookSecret, text);
        var export = JsonDocument.Parse(text).RootElement;

        var profile = export.GetProperty("profile");
        Assert.Equal(person.UserId, profile.GetProperty("id").GetGuid());
        Assert.Equal(email, profile.GetProperty("email").GetString());
        Assert.Equal("Export Person", profile.GetProperty("name").GetString());
        Assert.True(profile.TryGetProperty("createdAt", out _));
        Assert.True(profile.TryGetProperty("emailVerified", out _));

        var enrollment = Assert.Single(export.GetProperty("enrollments").EnumerateArray());
        Assert.Equal(course.Id, enrollment.GetProperty("course").GetProperty("id").GetGuid());
        Assert.Equal(1, enrollment.GetProperty("progress").GetProperty("completedLessons").GetInt32());
        Assert.Equal(2, enrollment.GetProperty("progress").GetProperty("totalLessons").GetInt32());
        Assert.Equal(50, enrollment.GetProperty("progress").GetProperty("percent").GetInt32());
        Assert.Equal(course.LessonIds[0], Assert.Single(enrollment.GetProperty("completedLessons").EnumerateArray()).GetProperty("lessonId").GetGuid());

        Assert.Empty(export.GetProperty("payments").EnumerateArray());
        Assert.Empty(export.GetProperty("certificates").EnumerateArray());
        var exportedKey = Assert.Single(export.GetProperty("apiKeys").EnumerateArray());
        Assert.Equal("Export key", exportedKey.GetProperty("name").GetString());
        var subscription = Assert.Single(export.GetProperty("webhookSubscriptions").EnumerateArray());
        Assert.Equal("http://127.0.0.1:9/export-hook", subscription.GetProperty("url").GetString());
        Assert.False(subscription.TryGetProperty("secret", out _));

        // Someone else's export is their own.
        var other = await TestAccounts.RegisterAsync(client, TestAccounts.NewEmail("export-other"));
        using (var theirs = await client.GetAsync("/api/auth/account/export", other.AccessToken))
        {
            var body = await theirs.JsonAsync();
            Assert.Equal(other.UserId, body.GetProperty("profile").GetProperty("id").GetGuid());
            Assert.Empty(body.GetProperty("enrollments").EnumerateArray());
        }

        foreach (var (method, path, body) in new (HttpMethod, string, object?)[]
        {
            (HttpMethod.Get, "/api/auth/account/export", null),
            (HttpMethod.Delete, "/api/auth/account", new { password = TestAccounts.Password }),
        })
        {
            using var byKey = await client.SendJsonAsync(method, path, body, apiKey);
            await ProblemAssert.IsProblemAsync(byKey, HttpStatusCode.Forbidden, "API_KEY_NOT_ACCEPTED");
        }

        using var anonymous = await client.GetAsync("/api/auth/account/export");
        await ProblemAssert.IsProblemAsync(anonymous, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Fact]
    public async Task The_audit_log_refuses_every_change_except_erasing_a_deleted_account()
    {
        await using var connection = new NpgsqlConnection(await stack.ConnectionStringAsync("azora"));
        await connection.OpenAsync();
        var live = Guid.NewGuid();
        await connection.ExecuteAsync(
            """
            INSERT INTO users (id, email, name, password_hash, created_at, updated_at, password_changed_at)
            VALUES (@live, @email, 'Live Person', 'x', now(), now(), now());
            INSERT INTO admin_audit (id, actor_id, actor, action, target_user_id, before, after, occurred_at)
            VALUES (gen_random_uuid(), @live, @email, 'user.disabled', @live, '{"email": "a@example.com"}', '{"name": "A"}', now());
            """,
            new { live, email = TestAccounts.NewEmail("audit") });

        // The account is not deleted: not even the erasure form passes.
        foreach (var change in new[]
        {
            "UPDATE admin_audit SET actor = 'deleted user' WHERE actor_id = @live",
            "UPDATE admin_audit SET before = before - 'email' WHERE target_user_id = @live",
            "DELETE FROM admin_audit WHERE actor_id = @live",
        })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(change, new { live }));
            Assert.Equal("42501", refused.SqlState);
        }

        await connection.ExecuteAsync("UPDATE users SET deleted_at = now() WHERE id = @live", new { live });
        // Deleted: only the erasure itself, nothing beside it.
        foreach (var change in new[]
        {
            "UPDATE admin_audit SET actor = 'someone else' WHERE actor_id = @live",
            "UPDATE admin_audit SET actor = 'deleted user', action = 'user.enabled' WHERE actor_id = @live",
            "UPDATE admin_audit SET after = '{}' WHERE target_user_id = @live",
            "UPDATE admin_audit SET occurred_at = now() - interval '1 day' WHERE actor_id = @live",
            "DELETE FROM admin_audit WHERE actor_id = @live",
        })
        {
            var refused = await Assert.ThrowsAsync<PostgresException>(() => connection.ExecuteAsync(change, new { live }));
            Assert.Equal("42501", refused.SqlState);
        }

        Assert.Equal(1, await connection.ExecuteAsync(
            "UPDATE admin_audit SET actor = 'deleted user', before = before - ARRAY['email', 'name', 'bio'], after = after - ARRAY['email', 'name', 'bio'] WHERE actor_id = @live",
            new { live }));
        var erased = await connection.QuerySingleAsync<(string Actor, string Before, string After)>(
            "SELECT actor, before::text, after::text FROM admin_audit WHERE actor_id = @live", new { live });
        Assert.Equal(("deleted user", "{}", "{}"), erased);
    }

    /// <summary>
    /// Every text, character, JSON and text-array column of every table in the database that holds any of the values
    /// (ignoring case), as schema.table.column.
    /// </summary>
    private async Task<IReadOnlyList<string>> PersonalDataAsync(params string[] values)
    {
        await using var connection = new NpgsqlConnection(await stack.ConnectionStringAsync("azora"));
        var columns = await connection.QueryAsync<(string Schema, string Table, string Column)>(
            """
            SELECT c.table_schema, c.table_name, c.column_name
            FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
            WHERE t.table_type = 'BASE TABLE' AND c.table_schema NOT IN ('pg_catalog', 'information_schema')
              AND (c.data_type IN ('text', 'character varying', 'character', 'json', 'jsonb') OR c.udt_name IN ('_text', '_varchar'))
            ORDER BY 1, 2, 3
            """);
        var found = new List<string>();
        foreach (var (schema, table, column) in columns)
        {
            var hits = await connection.ExecuteScalarAsync<long>(
                $"""SELECT count(*) FROM "{schema}"."{table}" WHERE EXISTS (SELECT 1 FROM unnest(@values) v WHERE strpos(lower("{column}"::text), lower(v)) > 0)""",
                new { values });
            if (hits > 0)
            {
                found.Add($"{schema}.{table}.{column}");
            }
        }

        Assert.True(columns.Count() > 30, "The scan found too few columns to be reading the whole database.");
        return found;
    }
}
