using System.Net;
using System.Text.Json;
using Azora.Tests.Stack;

namespace Azora.Tests.Api;

[Collection(StackCollection.Name)]
public class PasswordResetTests(AzoraStackFixture stack)
{
    private const string NewPassword = "a-brand-new-and-longer-passphrase";
    internal const string ResetSubject = "Reset your Azora password";
    private const string ChangedSubject = "Your Azora password was changed";
    private const string Accepted = "If an account uses this address, a reset link is on its way.";

    [Fact]
    public async Task A_link_read_from_the_mail_sets_a_new_password_signs_out_every_session_marks_the_address_verified_and_works_once()
    {
        using var client = stack.CreateApiClient();
        var first = await TestAccounts.RegisterAsync(client, TestAccounts.NewEmail("reset"));
        var second = await TestAccounts.LoginAsync(client, first.Email);
        await stack.ExecuteAsync("UPDATE users SET email_verified_at = NULL WHERE id = @id", new { id = first.UserId });

        await RequestResetAsync(client, first.Email);
        Assert.Equal(first.UserId, (await TestInbox.WaitForWrittenAsync(stack, first.Email, "password_reset")).UserId);
        var mail = await TestInbox.NewestAsync(stack, first.Email, ResetSubject);
        Assert.Contains("30 minutes", mail.Text);
        Assert.Contains("Ada Lovelace", mail.Html);
        var token = TestInbox.LinkToken(mail, "/reset-password");

        using (var confirmed = await client.PostJsonAsync("/api/auth/password-reset/confirm", new { token, newPassword = NewPassword }))
        {
            Assert.Equal(HttpStatusCode.NoContent, confirmed.StatusCode);
        }

        // Every session is closed: access tokens die at once, refresh tokens too.
        foreach (var session in new[] { first, second })
        {
            using var profile = await client.GetAsync("/api/auth/profile", session.AccessToken);
            await ProblemAssert.IsProblemAsync(profile, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
            using var refreshed = await client.PostJsonAsync("/api/auth/refresh", new { refreshToken = session.RefreshToken });
            await ProblemAssert.IsProblemAsync(refreshed, HttpStatusCode.Unauthorized, "INVALID_REFRESH_TOKEN");
        }

        using (var oldPassword = await client.PostJsonAsync("/api/auth/login", new { email = first.Email, password = TestAccounts.Password }))
        {
            await ProblemAssert.IsProblemAsync(oldPassword, HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        }

        await TestAccounts.LoginAsync(client, first.Email, NewPassword);
        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM users WHERE id = @id AND email_verified_at IS NOT NULL", new { id = first.UserId }));

        Assert.Equal(first.UserId, (await TestInbox.WaitForWrittenAsync(stack, first.Email, "password_changed")).UserId);
        Assert.Contains("signed out", (await TestInbox.NewestAsync(stack, first.Email, ChangedSubject)).Text);

        // Single use: the same link again is refused, and changes nothing.
        using var again = await client.PostJsonAsync("/api/auth/password-reset/confirm", new { token, newPassword = "yet-another-long-passphrase" });
        await AssertInvalidTokenAsync(again);
        await TestAccounts.LoginAsync(client, first.Email, NewPassword);
    }

    [Fact]
    public async Task The_answer_is_the_same_for_unknown_disabled_deleted_and_active_addresses_and_only_the_active_account_is_mailed()
    {
        using var client = stack.CreateApiClient();
        var unknown = TestAccounts.NewEmail("reset-unknown");
        var disabled = await TestAccounts.RegisterAsync(client, TestAccounts.NewEmail("reset-disabled"));
        await stack.ExecuteAsync("UPDATE users SET disabled_at = now() WHERE id = @id", new { id = disabled.UserId });
        var deleted = await TestAccounts.RegisterAsync(client, TestAccounts.NewEmail("reset-deleted"));
        using (var deletion = await client.SendJsonAsync(HttpMethod.Delete, "/api/auth/account", new { password = TestAccounts.Password }, deleted.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, deletion.StatusCode);
        }

        var active = await TestAccounts.RegisterAsync(client, TestAccounts.NewEmail("reset-active"));

        var answers = new List<(string Email, HttpResponseMessage Response, JsonElement Body)>();
        // The active account last: the mailer takes requests in order, so once its mail exists the others were handled.
        foreach (var email in new[] { unknown, disabled.Email, deleted.Email, active.Email.ToUpperInvariant() })
        {
            var response = await client.PostJsonAsync("/api/auth/password-reset", new { email });
            answers.Add((email, response, await response.JsonAsync()));
        }

        var reference = answers[^1];
        foreach (var (email, response, body) in answers)
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Equal(reference.Response.Content.Headers.ContentType?.ToString(), response.Content.Headers.ContentType?.ToString());
            Assert.Null(response.Headers.Location);
            Assert.Equal(HeaderNames(reference.Response), HeaderNames(response));
            Assert.Equal(["message"], body.EnumerateObject().Select(property => property.Name));
            foreach (var property in reference.Body.EnumerateObject())
            {
                Assert.Equal(property.Value.GetRawText(), body.GetProperty(property.Name).GetRawText());
            }

            Assert.Equal(Accepted, body.GetProperty("message").GetString());
            response.Dispose();
        }

        await TestInbox.WaitForWrittenAsync(stack, active.Email, "password_reset");
        foreach (var email in new[] { unknown, disabled.Email, deleted.Email })
        {
            Assert.Empty(await TestInbox.WrittenAsync(stack, email, "password_reset"));
        }

        Assert.Equal(0, await stack.CountAsync(
            "SELECT count(*) FROM account_tokens WHERE purpose = 'password_reset' AND user_id = ANY (@ids)", new { ids = new[] { disabled.UserId, deleted.UserId } }));
    }

    [Fact]
    public async Task Expired_and_replaced_links_are_refused_and_a_weak_password_leaves_the_link_usable()
    {
        using var client = stack.CreateApiClient();
        var account = await TestAccounts.RegisterAsync(client, TestAccounts.NewEmail("reset-expiry"));

        await RequestResetAsync(client, account.Email);
        var replaced = TestInbox.LinkToken(await TestInbox.NewestAsync(stack, account.Email, ResetSubject), "/reset-password");
        await RequestResetAsync(client, account.Email);
        var latest = TestInbox.LinkToken(await TestInbox.NewestAsync(stack, account.Email, ResetSubject, count: 2), "/reset-password");
        Assert.NotEqual(replaced, latest);

        using (var old = await client.PostJsonAsync("/api/auth/password-reset/confirm", new { token = replaced, newPassword = NewPassword }))
        {
            await AssertInvalidTokenAsync(old);
        }

        using (var weak = await client.PostJsonAsync("/api/auth/password-reset/confirm", new { token = latest, newPassword = "short" }))
        {
            await ProblemAssert.IsValidationProblemAsync(weak, "newPassword");
        }

        // Still unused after the weak attempt; now expire it.
        Assert.Equal(1, await stack.CountAsync(
            "SELECT count(*) FROM account_tokens WHERE user_id = @id AND purpose = 'password_reset' AND used_at IS NULL", new { id = account.UserId }));
        await stack.ExecuteAsync(
            "UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE user_id = @id AND used_at IS NULL", new { id = account.UserId });
        using (var expired = await client.PostJsonAsync("/api/auth/password-reset/confirm", new { token = latest, newPassword = NewPassword }))
        {
            await AssertInvalidTokenAsync(expired);
        }

        await TestAccounts.LoginAsync(client, account.Email);
    }

    [Fact]
    public async Task A_link_of_an_account_disabled_after_it_was_mailed_is_refused()
    {
        using var client = stack.CreateApiClient();
        var account = await TestAccounts.RegisterAsync(client, TestAccounts.NewEmail("reset-disabled-later"));
        await RequestResetAsync(client, account.Email);
        var token = TestInbox.LinkToken(await TestInbox.NewestAsync(stack, account.Email, ResetSubject), "/reset-password");
        await stack.ExecuteAsync("UPDATE users SET disabled_at = now() WHERE id = @id", new { id = account.UserId });

        using var refused = await client.PostJsonAsync("/api/auth/password-reset/confirm", new { token, newPassword = NewPassword });
        await AssertInvalidTokenAsync(refused);
        Assert.Equal(0, await stack.CountAsync(
            "SELECT count(*) FROM users WHERE id = @id AND password_changed_at > created_at", new { id = account.UserId }));
    }

    [Fact]
    public async Task Each_address_gets_at_most_three_reset_mails_an_hour_while_every_request_still_answers_202()
    {
        using var client = stack.CreateApiClient();
        var flooded = await TestAccounts.RegisterAsync(client, TestAccounts.NewEmail("reset-flood"));
        var other = await TestAccounts.RegisterAsync(client, TestAccounts.NewEmail("reset-other"));

        for (var request = 0; request < 5; request++)
        {
            await RequestResetAsync(client, flooded.Email);
        }

        await RequestResetAsync(client, other.Email);
        await TestInbox.WaitForWrittenAsync(stack, other.Email, "password_reset");
        Assert.Equal(3, (await TestInbox.WrittenAsync(stack, flooded.Email, "password_reset")).Count);
    }

    [Fact]
    public async Task Reset_requests_and_confirmations_count_against_the_client_address_credentials_limit()
    {
        await using var api = await ApiInstance.StartAsync(stack, new Dictionary<string, string>
        {
            ["Azora:RateLimits:Credentials:PermitLimit"] = "2",
        });

        using (var first = await api.Client.PostJsonAsync("/api/auth/password-reset", new { email = TestAccounts.NewEmail("limited") }))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        }

        using (var second = await api.Client.PostJsonAsync("/api/auth/password-reset/confirm", new { token = "unknown", newPassword = NewPassword }))
        {
            await AssertInvalidTokenAsync(second);
        }

        using var refused = await api.Client.PostJsonAsync("/api/auth/password-reset", new { email = TestAccounts.NewEmail("limited") });
        await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.TooManyRequests, "RATE_LIMIT_EXCEEDED");
        Assert.InRange(int.Parse(refused.Header("Retry-After")), 1, 900);
    }

    [Fact]
    public async Task Malformed_requests_are_400_naming_the_field()
    {
        using var client = stack.CreateApiClient();
        foreach (var email in new[] { null, "", "not-an-address", new string('a', 250) + "@example.com" })
        {
            using var response = await client.PostJsonAsync("/api/auth/password-reset", new { email });
            await ProblemAssert.IsValidationProblemAsync(response, "email");
        }

        using (var nothing = await client.PostJsonAsync("/api/auth/password-reset/confirm", new { }))
        {
            await ProblemAssert.IsValidationProblemAsync(nothing, "token", "newPassword");
        }

        using (var noToken = await client.PostJsonAsync("/api/auth/password-reset/confirm", new { newPassword = NewPassword }))
        {
            await ProblemAssert.IsValidationProblemAsync(noToken, "token");
        }

        using var tooLong = await client.PostJsonAsync("/api/auth/password-reset/confirm", new { token = new string('x', 500), newPassword = NewPassword });
        await AssertInvalidTokenAsync(tooLong);
    }

    private static async Task RequestResetAsync(HttpClient client, string email)
    {
        using var response = await client.PostJsonAsync("/api/auth/password-reset", new { email });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(Accepted, (await response.JsonAsync()).GetProperty("message").GetString());
    }

    private static async Task AssertInvalidTokenAsync(HttpResponseMessage response)
    {
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "INVALID_TOKEN");
        Assert.Equal(["token"], problem.GetProperty("errors").EnumerateObject().Select(error => error.Name));
    }

    /// <summary>The response's header names, without those whose presence depends on the moment (date, rate-limit counters).</summary>
    private static string[] HeaderNames(HttpResponseMessage response) =>
        [.. response.Headers.Concat(response.Content.Headers).Select(header => header.Key)
            .Where(name => name is not "Date" && !name.StartsWith("X-RateLimit", StringComparison.Ordinal)).Order()];
}
