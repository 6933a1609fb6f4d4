using System.Net;
using System.Text.Json;
using Azora.Tests.Stack;

namespace Azora.Tests.Api;

/// <summary>Registration without enumeration, verification links, resending them, and changing the email, through the mail.</summary>
[Collection(StackCollection.Name)]
public class EmailVerificationTests(AzoraStackFixture stack)
{
    private const string VerifySubject = "Confirm your email";
    private const string NewAddressSubject = "Confirm your new email";

    [Fact]
    public async Task Register_mails_a_link_whose_token_verifies_the_email_once_and_then_the_account_can_pay()
    {
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var paid = await Courses.CreateAsync(client, instructor, price: 2900);
        var free = await Courses.CreateAsync(client, instructor, price: 0);
        var email = TestAccounts.NewEmail("verify");

        using (var registered = await client.PostJsonAsync("/api/auth/register", new { email = $"  {email} ", password = TestAccounts.Password, name = "Grace Hopper" }))
        {
            Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
            var body = await registered.JsonAsync();
            Assert.Equal(email, body.GetProperty("email").GetString());
            Assert.True(body.GetProperty("verificationSent").GetBoolean());
            Assert.Equal(["email", "verificationSent"], body.EnumerateObject().Select(property => property.Name));
        }

        // Unverified: signs in and browses, enrolls for free, but cannot pay.
        var learner = await TestAccounts.LoginAsync(client, email);
        Assert.False(await EmailVerifiedAsync(client, learner));
        using (var enrolled = await client.PostJsonAsync($"/api/education/courses/{free.Id}/enroll", new { }, learner.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Created, enrolled.StatusCode);
        }

        using (var refused = await client.PostJsonAsync("/api/pay/payment-intent", new { courseId = paid.Id }, learner.AccessToken))
        {
            var problem = await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Forbidden, "EMAIL_NOT_VERIFIED");
            Assert.Contains("/api/auth/verify-email/resend", problem.GetProperty("detail").GetString());
        }

        var mail = await TestInbox.SingleAsync(stack, email, VerifySubject);
        Assert.DoesNotContain("Grace Hopper", mail.Text);
        Assert.DoesNotContain("Grace Hopper", mail.Html);
        Assert.Equal(mail.LinkParameter("token"), HtmlLinkToken(mail.Html));
        var token = mail.LinkParameter("token");

        // Anonymous: the link may be opened on another device.
        using (var verified = await client.PostJsonAsync("/api/auth/verify-email", new { token }))
        {
            Assert.Equal(HttpStatusCode.NoContent, verified.StatusCode);
        }

        Assert.True(await EmailVerifiedAsync(client, learner));
        using (var again = await client.PostJsonAsync("/api/auth/verify-email", new { token }))
        {
            await AssertInvalidTokenAsync(again);
        }

        using var paying = await client.PostJsonAsync("/api/pay/payment-intent", new { courseId = paid.Id }, learner.AccessToken);
        Assert.Equal(HttpStatusCode.Created, paying.StatusCode);
    }

    [Fact]
    public async Task Registering_an_existing_email_answers_exactly_like_a_new_registration_and_mails_the_owner_a_notice()
    {
        using var client = stack.CreateApiClient();
        var existing = TestAccounts.NewEmail("taken");
        var fresh = TestAccounts.NewEmail("fresh");
        await TestAccounts.RegisterAsync(client, existing, name: "Owner");
        Assert.Equal(1, await TestInbox.CountAsync(stack, existing, "verify_email"));

        using var forNew = await client.PostJsonAsync("/api/auth/register", new { email = fresh, password = "another-lantern-2026", name = "Mallory" });
        using var forExisting = await client.PostJsonAsync("/api/auth/register", new { email = existing, password = "another-lantern-2026", name = "Mallory" });

        Assert.Equal(forNew.StatusCode, forExisting.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, forExisting.StatusCode);
        Assert.Equal(HeadersOf(forNew), HeadersOf(forExisting));
        var newBody = await forNew.JsonAsync();
        var existingBody = await forExisting.JsonAsync();
        Assert.Equal(newBody.EnumerateObject().Select(p => (p.Name, p.Value.ValueKind)), existingBody.EnumerateObject().Select(p => (p.Name, p.Value.ValueKind)));
        Assert.Equal(fresh, newBody.GetProperty("email").GetString());
        Assert.Equal(existing, existingBody.GetProperty("email").GetString());
        Assert.Equal(newBody.GetProperty("verificationSent").GetBoolean(), existingBody.GetProperty("verificationSent").GetBoolean());

        // The owner is told, with a way to reset the password and nothing that signs in or verifies.
        var notice = await TestInbox.SingleAsync(stack, existing, "Someone tried to register");
        Assert.Contains("Hello Owner,", notice.Text);
        Assert.DoesNotContain("Mallory", notice.Text);
        Assert.Contains("/reset-password", notice.Text);
        Assert.DoesNotContain("token=", notice.Text);
        Assert.Equal(1, await TestInbox.CountAsync(stack, existing, "verify_email"));
        Assert.Equal(1, await TestInbox.CountAsync(stack, existing, "registration_attempt"));

        // The account is unchanged: the original password signs in, the registrant's does not.
        await TestAccounts.LoginAsync(client, existing);
        using var intruder = await client.PostJsonAsync("/api/auth/login", new { email = existing, password = "another-lantern-2026" });
        await ProblemAssert.IsProblemAsync(intruder, HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
    }

    [Fact]
    public async Task Unknown_expired_malformed_and_missing_tokens_are_refused_without_saying_which()
    {
        using var client = stack.CreateApiClient();
        var email = TestAccounts.NewEmail("expiring");
        var account = await TestAccounts.RegisterAsync(client, email);
        var token = (await TestInbox.SingleAsync(stack, email, VerifySubject)).LinkParameter("token");
        await stack.ExecuteAsync("UPDATE account_tokens SET expires_at = now() - interval '1 second' WHERE user_id = @id", new { id = account.UserId });

        foreach (var presented in new[] { token, "not-a-token-we-issued", new string('x', 500) })
        {
            using var refused = await client.PostJsonAsync("/api/auth/verify-email", new { token = presented });
            await AssertInvalidTokenAsync(refused);
        }

        Assert.False(await EmailVerifiedAsync(client, account));
        foreach (var body in new object[] { new { token = "" }, new { } })
        {
            using var missing = await client.PostJsonAsync("/api/auth/verify-email", body);
            await ProblemAssert.IsValidationProblemAsync(missing, "token");
        }
    }

    [Fact]
    public async Task Resend_mails_a_new_link_that_replaces_the_old_one_and_is_limited_per_account()
    {
        using var client = stack.CreateApiClient();
        var email = TestAccounts.NewEmail("resend");
        var account = await TestAccounts.RegisterAsync(client, email);
        var first = (await TestInbox.SingleAsync(stack, email, VerifySubject)).LinkParameter("token");

        using (var anonymous = await client.PostJsonAsync("/api/auth/verify-email/resend", new { }))
        {
            await ProblemAssert.IsProblemAsync(anonymous, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }

        using (var resent = await client.PostJsonAsync("/api/auth/verify-email/resend", new { }, account.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Accepted, resent.StatusCode);
            Assert.Equal(email, (await resent.JsonAsync()).GetProperty("email").GetString());
        }

        var tokens = (await TestInbox.WaitForAsync(stack, email, VerifySubject, count: 2)).Select(mail => mail.LinkParameter("token")).ToList();
        Assert.Contains(first, tokens);
        Assert.Equal(2, tokens.Distinct().Count());
        using (var old = await client.PostJsonAsync("/api/auth/verify-email", new { token = first }))
        {
            await AssertInvalidTokenAsync(old);
        }

        // Four more resends spend the hour's five; the next is refused until the window ends.
        for (var i = 0; i < 4; i++)
        {
            using var more = await client.PostJsonAsync("/api/auth/verify-email/resend", new { }, account.AccessToken);
            Assert.Equal(HttpStatusCode.Accepted, more.StatusCode);
        }

        using (var limited = await client.PostJsonAsync("/api/auth/verify-email/resend", new { }, account.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(limited, HttpStatusCode.TooManyRequests, "RATE_LIMIT_EXCEEDED");
            Assert.True(int.Parse(limited.Header("Retry-After")) > 0);
        }

        // Six links were mailed (in whatever order they arrive); only the newest works.
        Assert.Equal(6, await TestInbox.CountAsync(stack, email, "verify_email"));
        var verified = new List<HttpStatusCode>();
        foreach (var mail in await TestInbox.WaitForAsync(stack, email, VerifySubject, count: 6))
        {
            using var response = await client.PostJsonAsync("/api/auth/verify-email", new { token = mail.LinkParameter("token") });
            verified.Add(response.StatusCode);
        }

        Assert.Equal(1, verified.Count(status => status == HttpStatusCode.NoContent));
        Assert.Equal(5, verified.Count(status => status == HttpStatusCode.BadRequest));
        Assert.True(await EmailVerifiedAsync(client, account));

        // Nothing left to verify.
        var other = await TestAccounts.RegisterVerifiedAsync(stack, client);
        using var nothing = await client.PostJsonAsync("/api/auth/verify-email/resend", new { }, other.AccessToken);
        await ProblemAssert.IsProblemAsync(nothing, HttpStatusCode.Conflict, "CONFLICT");
    }

    [Fact]
    public async Task Changing_the_email_applies_only_when_the_new_address_is_verified_and_tells_the_old_one()
    {
        using var client = stack.CreateApiClient();
        var oldEmail = TestAccounts.NewEmail("old");
        var newEmail = TestAccounts.NewEmail("new");
        var account = await TestAccounts.RegisterVerifiedAsync(stack, client, oldEmail, name: "Ada Lovelace");

        using (var wrongPassword = await client.PostJsonAsync("/api/auth/email", new { email = newEmail, currentPassword = "not-my-password" }, account.AccessToken))
        {
            await ProblemAssert.IsValidationProblemAsync(wrongPassword, "currentPassword");
        }

        using (var same = await client.PostJsonAsync("/api/auth/email", new { email = oldEmail.ToUpperInvariant(), currentPassword = TestAccounts.Password }, account.AccessToken))
        {
            await ProblemAssert.IsValidationProblemAsync(same, "email");
        }

        using (var invalid = await client.PostJsonAsync("/api/auth/email", new { email = "nope", currentPassword = "" }, account.AccessToken))
        {
            await ProblemAssert.IsValidationProblemAsync(invalid, "email", "currentPassword");
        }

        using (var asked = await client.PostJsonAsync("/api/auth/email", new { email = newEmail, currentPassword = TestAccounts.Password }, account.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Accepted, asked.StatusCode);
            Assert.Equal(newEmail, (await asked.JsonAsync()).GetProperty("email").GetString());
        }

        // Nothing changes before the link is used: the old address still signs in and is still verified.
        var profile = await ProfileAsync(client, account);
        Assert.Equal(oldEmail, profile.GetProperty("email").GetString());
        Assert.True(profile.GetProperty("emailVerified").GetBoolean());

        var token = (await TestInbox.SingleAsync(stack, newEmail, NewAddressSubject)).LinkParameter("token");
        using (var verified = await client.PostJsonAsync("/api/auth/verify-email", new { token }))
        {
            Assert.Equal(HttpStatusCode.NoContent, verified.StatusCode);
        }

        profile = await ProfileAsync(client, account);
        Assert.Equal(newEmail, profile.GetProperty("email").GetString());
        Assert.True(profile.GetProperty("emailVerified").GetBoolean());

        var notice = await TestInbox.SingleAsync(stack, oldEmail, "Your Azora email was changed");
        Assert.Contains(newEmail, notice.Text);
        Assert.Contains("Hello Ada Lovelace,", notice.Text);

        await TestAccounts.LoginAsync(client, newEmail);
        using var oldLogin = await client.PostJsonAsync("/api/auth/login", new { email = oldEmail, password = TestAccounts.Password });
        await ProblemAssert.IsProblemAsync(oldLogin, HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
    }

    [Fact]
    public async Task Changing_to_another_accounts_email_answers_the_same_and_mails_nothing()
    {
        using var client = stack.CreateApiClient();
        var someoneElse = TestAccounts.NewEmail("someone");
        await TestAccounts.RegisterAsync(client, someoneElse);
        var account = await TestAccounts.RegisterVerifiedAsync(stack, client);
        var free = TestAccounts.NewEmail("free");

        using var toFree = await client.PostJsonAsync("/api/auth/email", new { email = free, currentPassword = TestAccounts.Password }, account.AccessToken);
        using var toTaken = await client.PostJsonAsync("/api/auth/email", new { email = someoneElse, currentPassword = TestAccounts.Password }, account.AccessToken);

        Assert.Equal(HttpStatusCode.Accepted, toFree.StatusCode);
        Assert.Equal(toFree.StatusCode, toTaken.StatusCode);
        Assert.Equal(HeadersOf(toFree), HeadersOf(toTaken));
        var freeBody = await toFree.JsonAsync();
        var takenBody = await toTaken.JsonAsync();
        Assert.Equal(freeBody.EnumerateObject().Select(p => (p.Name, p.Value.ValueKind)), takenBody.EnumerateObject().Select(p => (p.Name, p.Value.ValueKind)));
        Assert.Equal(someoneElse, takenBody.GetProperty("email").GetString());
        Assert.True(takenBody.GetProperty("verificationSent").GetBoolean());

        Assert.Equal(1, await TestInbox.CountAsync(stack, free));
        Assert.Equal(1, await TestInbox.CountAsync(stack, someoneElse));
        Assert.Equal(0, await stack.CountAsync(
            "SELECT count(*) FROM account_tokens WHERE user_id = @id AND lower(email) = lower(@someoneElse)", new { id = account.UserId, someoneElse }));
    }

    [Fact]
    public async Task A_new_address_taken_after_the_link_was_sent_is_a_conflict_and_changes_nothing()
    {
        using var client = stack.CreateApiClient();
        var account = await TestAccounts.RegisterVerifiedAsync(stack, client);
        var wanted = TestAccounts.NewEmail("contested");
        using (var asked = await client.PostJsonAsync("/api/auth/email", new { email = wanted, currentPassword = TestAccounts.Password }, account.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Accepted, asked.StatusCode);
        }

        var token = (await TestInbox.SingleAsync(stack, wanted, NewAddressSubject)).LinkParameter("token");
        await TestAccounts.RegisterAsync(client, wanted.ToUpperInvariant());

        using var conflict = await client.PostJsonAsync("/api/auth/verify-email", new { token });
        await ProblemAssert.IsProblemAsync(conflict, HttpStatusCode.Conflict, "CONFLICT");
        Assert.Equal(account.Email, (await ProfileAsync(client, account)).GetProperty("email").GetString());
        Assert.Equal(0, await TestInbox.CountAsync(stack, account.Email, "email_changed"));
    }

    [Fact]
    public async Task Email_change_requests_share_the_per_account_limit_of_verification_mails()
    {
        using var client = stack.CreateApiClient();
        var account = await TestAccounts.RegisterVerifiedAsync(stack, client);

        for (var i = 0; i < 5; i++)
        {
            using var asked = await client.PostJsonAsync("/api/auth/email", new { email = TestAccounts.NewEmail("change"), currentPassword = TestAccounts.Password }, account.AccessToken);
            Assert.Equal(HttpStatusCode.Accepted, asked.StatusCode);
        }

        var refusedAddress = TestAccounts.NewEmail("change");
        using (var limited = await client.PostJsonAsync("/api/auth/email", new { email = refusedAddress, currentPassword = TestAccounts.Password }, account.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(limited, HttpStatusCode.TooManyRequests, "RATE_LIMIT_EXCEEDED");
            Assert.True(int.Parse(limited.Header("Retry-After")) > 0);
        }

        Assert.Equal(0, await TestInbox.CountAsync(stack, refusedAddress));
        using var resend = await client.PostJsonAsync("/api/auth/verify-email/resend", new { }, account.AccessToken);
        await ProblemAssert.IsProblemAsync(resend, HttpStatusCode.TooManyRequests, "RATE_LIMIT_EXCEEDED");
    }

    [Fact]
    public async Task A_deleted_accounts_links_stop_working_and_it_has_nothing_to_resend_or_change()
    {
        using var client = stack.CreateApiClient();
        var email = TestAccounts.NewEmail("deleted");
        var account = await TestAccounts.RegisterAsync(client, email);
        var token = (await TestInbox.SingleAsync(stack, email, VerifySubject)).LinkParameter("token");
        await stack.ExecuteAsync("UPDATE users SET deleted_at = now() WHERE id = @id", new { id = account.UserId });

        using (var verify = await client.PostJsonAsync("/api/auth/verify-email", new { token }))
        {
            await AssertInvalidTokenAsync(verify);
        }

        using (var resend = await client.PostJsonAsync("/api/auth/verify-email/resend", new { }, account.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(resend, HttpStatusCode.NotFound, "NOT_FOUND");
        }

        using var change = await client.PostJsonAsync("/api/auth/email", new { email = TestAccounts.NewEmail("after"), currentPassword = TestAccounts.Password }, account.AccessToken);
        await ProblemAssert.IsProblemAsync(change, HttpStatusCode.NotFound, "NOT_FOUND");
        Assert.Equal(0, await stack.CountAsync("SELECT count(*) FROM users WHERE id = @id AND email_verified_at IS NOT NULL", new { id = account.UserId }));
    }

    /// <summary>The HTML part's button carries the same link as the text part.</summary>
    private static string HtmlLinkToken(string html)
    {
        var href = System.Text.RegularExpressions.Regex.Match(html, "href=\"([^\"]+/verify-email\\?[^\"]+)\"");
        Assert.True(href.Success, html);
        return System.Web.HttpUtility.ParseQueryString(new Uri(System.Net.WebUtility.HtmlDecode(href.Groups[1].Value)).Query)["token"]!;
    }

    private static async Task AssertInvalidTokenAsync(HttpResponseMessage response)
    {
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "INVALID_TOKEN");
        Assert.Equal(["token"], problem.GetProperty("errors").EnumerateObject().Select(error => error.Name));
    }

    private static async Task<JsonElement> ProfileAsync(HttpClient client, SignedIn account)
    {
        using var response = await client.GetAsync("/api/auth/profile", account.AccessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }

    private static async Task<bool> EmailVerifiedAsync(HttpClient client, SignedIn account) =>
        (await ProfileAsync(client, account)).GetProperty("emailVerified").GetBoolean();

    /// <summary>The headers a client could tell two answers apart by (not the per-request ones: date, trace, rate-limit counters).</summary>
    private static string HeadersOf(HttpResponseMessage response) => string.Join('\n', response.Headers.Concat(response.Content.Headers)
        .Where(header => header.Key is not ("Date" or "traceparent" or "Content-Length") && !header.Key.StartsWith("X-RateLimit", StringComparison.Ordinal))
        .OrderBy(header => header.Key)
        .Select(header => $"{header.Key}: {string.Join(',', header.Value)}"));
}
