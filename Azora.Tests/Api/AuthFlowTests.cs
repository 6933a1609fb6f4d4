using System.Net;
using System.Text.Json;
using Azora.Tests.Stack;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Azora.Tests.Api;

[Collection(StackCollection.Name)]
public class AuthFlowTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task Register_login_profile_refresh_logout_then_the_tokens_are_refused()
    {
        using var client = stack.CreateApiClient();
        var email = TestAccounts.NewEmail("flow");

        using (var registered = await client.PostJsonAsync("/api/auth/register", new { email, password = TestAccounts.Password, name = "Grace Hopper" }))
        {
            Assert.Equal(HttpStatusCode.Accepted, registered.StatusCode);
            Assert.Null(registered.Headers.Location);
        }

        SignedIn first;
        using (var signedIn = await client.PostJsonAsync("/api/auth/login", new { email, password = TestAccounts.Password }))
        {
            Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
            var tokens = await signedIn.JsonAsync();
            Assert.Equal(900, tokens.GetProperty("expiresIn").GetInt32());
            Assert.Equal("Bearer", tokens.GetProperty("tokenType").GetString());
            Assert.Equal(["learner"], tokens.GetProperty("user").GetProperty("roles").EnumerateArray().Select(role => role.GetString()));
            first = SignedIn.Read(tokens);
        }

        var login = await TestAccounts.LoginAsync(client, email);
        using (var profile = await client.GetAsync("/api/auth/profile", login.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, profile.StatusCode);
            var body = await profile.JsonAsync();
            Assert.Equal(email, body.GetProperty("email").GetString());
            Assert.Equal("Grace Hopper", body.GetProperty("name").GetString());
            Assert.Equal(login.UserId, body.GetProperty("id").GetGuid());
        }

        using var refreshed = await client.PostJsonAsync("/api/auth/refresh", new { refreshToken = login.RefreshToken });
        Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        var second = SignedIn.Read(await refreshed.JsonAsync());
        Assert.NotEqual(login.RefreshToken, second.RefreshToken);

        using (var logout = await client.SendJsonAsync(HttpMethod.Post, "/api/auth/logout", null, second.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, logout.StatusCode);
        }

        using (var afterLogout = await client.GetAsync("/api/auth/profile", second.AccessToken))
        {
            var problem = await ProblemAssert.IsProblemAsync(afterLogout, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
            Assert.Contains("revoked", problem.GetProperty("detail").GetString());
        }

        // The session's earlier access token and its refresh token die with it.
        using (var earlier = await client.GetAsync("/api/auth/profile", login.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(earlier, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }

        using (var refreshAfterLogout = await client.PostJsonAsync("/api/auth/refresh", new { refreshToken = second.RefreshToken }))
        {
            await ProblemAssert.IsProblemAsync(refreshAfterLogout, HttpStatusCode.Unauthorized, "INVALID_REFRESH_TOKEN");
        }

        // The first sign-in's session is untouched by that logout.
        using var other = await client.GetAsync("/api/auth/profile", first.AccessToken);
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task Access_tokens_carry_issuer_audience_expiry_id_session_and_roles_and_verify_against_the_published_keys()
    {
        using var client = stack.CreateApiClient();
        var tokens = await TestAccounts.RegisterAsync(client);

        using var jwksResponse = await client.GetAsync("/.well-known/jwks.json");
        Assert.Equal(HttpStatusCode.OK, jwksResponse.StatusCode);
        var jwks = new JsonWebKeySet(await jwksResponse.Content.ReadAsStringAsync());
        Assert.All(jwks.Keys, key => Assert.False(key.HasPrivateKey));

        var result = await new JsonWebTokenHandler().ValidateTokenAsync(tokens.AccessToken, new TokenValidationParameters
        {
            ValidIssuer = "https://api.azora.world",
            ValidAudience = "azora-api",
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
        });
        Assert.True(result.IsValid, result.Exception?.Message);
        var token = (JsonWebToken)result.SecurityToken;
        Assert.Equal("RS256", token.Alg);
        Assert.Contains(jwks.Keys, key => key.Kid == token.Kid);
        Assert.Equal(tokens.UserId.ToString(), token.Subject);
        Assert.Matches("^[0-9a-f]{32}$", token.Id);
        Assert.True(Guid.TryParse(token.GetClaim("sid").Value, out _));
        Assert.Equal(["learner"], token.Claims.Where(claim => claim.Type == "roles").Select(claim => claim.Value));
        Assert.Equal(TimeSpan.FromMinutes(15), token.ValidTo - token.IssuedAt);
    }

    [Fact]
    public async Task A_reused_refresh_token_closes_its_whole_session()
    {
        using var client = stack.CreateApiClient();
        var first = await TestAccounts.RegisterAsync(client);

        using var rotated = await client.PostJsonAsync("/api/auth/refresh", new { refreshToken = first.RefreshToken });
        var second = SignedIn.Read(await rotated.JsonAsync());

        // Someone replays the first token (a thief, or the victim after the thief rotated it).
        using (var replay = await client.PostJsonAsync("/api/auth/refresh", new { refreshToken = first.RefreshToken }))
        {
            var problem = await ProblemAssert.IsProblemAsync(replay, HttpStatusCode.Unauthorized, "INVALID_REFRESH_TOKEN");
            Assert.Contains("already used", problem.GetProperty("detail").GetString());
        }

        using (var legitimate = await client.PostJsonAsync("/api/auth/refresh", new { refreshToken = second.RefreshToken }))
        {
            await ProblemAssert.IsProblemAsync(legitimate, HttpStatusCode.Unauthorized, "INVALID_REFRESH_TOKEN");
        }

        using var access = await client.GetAsync("/api/auth/profile", second.AccessToken);
        await ProblemAssert.IsProblemAsync(access, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Theory]
    [InlineData("")]
    [InlineData("not-a-token")]
    [InlineData("' OR '1'='1")]
    public async Task Unknown_refresh_tokens_are_refused(string refreshToken)
    {
        using var client = stack.CreateApiClient();

        using var response = await client.PostJsonAsync("/api/auth/refresh", new { refreshToken });

        if (refreshToken.Length == 0)
        {
            await ProblemAssert.IsValidationProblemAsync(response, "refreshToken");
        }
        else
        {
            await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "INVALID_REFRESH_TOKEN");
        }
    }

    [Fact]
    public async Task Emails_are_unique_whatever_their_casing_and_log_in_in_any_casing()
    {
        using var client = stack.CreateApiClient();
        var email = TestAccounts.NewEmail("Casing");
        var original = await TestAccounts.RegisterAsync(client, email);

        // Answered as any registration is (EmailVerificationTests), but no second account is made.
        using var duplicate = await client.PostJsonAsync("/api/auth/register", new { email = email.ToUpperInvariant(), password = TestAccounts.Password, name = "Twin" });
        Assert.Equal(HttpStatusCode.Accepted, duplicate.StatusCode);
        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM users WHERE lower(email) = lower(@email)", new { email }));

        var login = await TestAccounts.LoginAsync(client, email.ToUpperInvariant());
        Assert.Equal(email, login.Email);
        Assert.Equal(original.UserId, login.UserId);
    }

    [Fact]
    public async Task Wrong_password_and_unknown_email_get_the_same_answer()
    {
        using var client = stack.CreateApiClient();
        var tokens = await TestAccounts.RegisterAsync(client);

        using var wrong = await client.PostJsonAsync("/api/auth/login", new { email = tokens.Email, password = "not-the-right-password" });
        using var unknown = await client.PostJsonAsync("/api/auth/login", new { email = TestAccounts.NewEmail("nobody"), password = TestAccounts.Password });

        var wrongBody = await ProblemAssert.IsProblemAsync(wrong, HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        var unknownBody = await ProblemAssert.IsProblemAsync(unknown, HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        Assert.Equal(wrongBody.GetProperty("detail").GetString(), unknownBody.GetProperty("detail").GetString());
    }

    [Theory]
    [InlineData("correct-horse-battery-staple-ünïcødé")]
    [InlineData("密码很长而且很难猜到的一句话")]
    [InlineData("🔐🦄🌍🎓🚀🧠📚🌱🍀✨🎵🐙")]
    [InlineData("пароль с пробелами и без правил")]
    public async Task Any_unicode_password_of_twelve_characters_or_more_works(string password)
    {
        using var client = stack.CreateApiClient();
        var tokens = await TestAccounts.RegisterAsync(client, password: password);

        var login = await TestAccounts.LoginAsync(client, tokens.Email, password);

        Assert.Equal(tokens.UserId, login.UserId);
    }

    [Fact]
    public async Task A_password_typed_in_another_unicode_normalisation_is_the_same_password()
    {
        using var client = stack.CreateApiClient();
        var composed = "caf\u00e9-au-lait-every-morning";
        var decomposed = "cafe\u0301-au-lait-every-morning";
        var tokens = await TestAccounts.RegisterAsync(client, password: composed);

        var login = await TestAccounts.LoginAsync(client, tokens.Email, decomposed);

        Assert.Equal(tokens.UserId, login.UserId);
    }

    [Fact]
    public async Task Long_passwords_are_not_truncated()
    {
        using var client = stack.CreateApiClient();
        var password = new string('x', 80) + "-the-end-matters";
        var tokens = await TestAccounts.RegisterAsync(client, password: password);

        using var prefix = await client.PostJsonAsync("/api/auth/login", new { email = tokens.Email, password = password[..72] });

        await ProblemAssert.IsProblemAsync(prefix, HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
    }

    [Theory]
    [InlineData("short-pass1")]
    [InlineData("qwerty123456")]
    [InlineData("QWERTY123456")]
    [InlineData("1q2w3e4r5t6y")]
    public async Task Short_and_common_passwords_are_refused(string password)
    {
        using var client = stack.CreateApiClient();

        using var response = await client.PostJsonAsync("/api/auth/register", new { email = TestAccounts.NewEmail("weak"), password, name = "Weak" });

        await ProblemAssert.IsValidationProblemAsync(response, "password");
    }

    [Fact]
    public async Task Passwords_of_128_characters_are_accepted_and_129_refused()
    {
        using var client = stack.CreateApiClient();
        var longest = string.Concat(Enumerable.Repeat("🎓", 128));

        await TestAccounts.RegisterAsync(client, password: longest);
        using var tooLong = await client.PostJsonAsync("/api/auth/register", new { email = TestAccounts.NewEmail("long"), password = longest + "x", name = "Long" });

        await ProblemAssert.IsValidationProblemAsync(tooLong, "password");
    }

    [Fact]
    public async Task Register_reports_every_invalid_field_at_once()
    {
        using var client = stack.CreateApiClient();

        using var response = await client.PostJsonAsync("/api/auth/register", new { email = "not-an-email", password = "short", name = "" });

        await ProblemAssert.IsValidationProblemAsync(response, "email", "password", "name");
    }

    [Theory]
    [InlineData("'; DROP TABLE users; --@example.com")]
    [InlineData("robert'); DROP TABLE users;--@example.com")]
    public async Task Sql_in_the_email_is_only_ever_data(string email)
    {
        using var client = stack.CreateApiClient();

        using var register = await client.PostJsonAsync("/api/auth/register", new { email, password = TestAccounts.Password, name = "Bobby Tables" });
        using var login = await client.PostJsonAsync("/api/auth/login", new { email = "' OR '1'='1", password = "' OR '1'='1' --" });

        Assert.Contains(register.StatusCode, new[] { HttpStatusCode.Accepted, HttpStatusCode.BadRequest });
        await ProblemAssert.IsProblemAsync(login, HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        var someone = await TestAccounts.RegisterAsync(client);
        await TestAccounts.LoginAsync(client, someone.Email);
    }

    [Fact]
    public async Task Oversized_fields_are_refused_field_by_field()
    {
        using var client = stack.CreateApiClient();
        var tokens = await TestAccounts.RegisterAsync(client);

        using var register = await client.PostJsonAsync("/api/auth/register", new
        {
            email = new string('a', 250) + "@example.com",
            password = TestAccounts.Password,
            name = new string('n', 101),
        });
        await ProblemAssert.IsValidationProblemAsync(register, "email", "name");

        using var profile = await client.SendJsonAsync(HttpMethod.Patch, "/api/auth/profile", new { bio = new string('b', 2001) }, tokens.AccessToken);
        await ProblemAssert.IsValidationProblemAsync(profile, "bio");
    }

    [Fact]
    public async Task Profile_updates_name_and_bio_and_an_empty_bio_clears_it()
    {
        using var client = stack.CreateApiClient();
        var tokens = await TestAccounts.RegisterAsync(client);

        using (var update = await client.SendJsonAsync(HttpMethod.Patch, "/api/auth/profile", new { name = "  Ada King  ", bio = "Analyst" }, tokens.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, update.StatusCode);
            var body = await update.JsonAsync();
            Assert.Equal("Ada King", body.GetProperty("name").GetString());
            Assert.Equal("Analyst", body.GetProperty("bio").GetString());
        }

        using (var nameOnly = await client.SendJsonAsync(HttpMethod.Patch, "/api/auth/profile", new { name = "Ada" }, tokens.AccessToken))
        {
            var body = await nameOnly.JsonAsync();
            Assert.Equal("Analyst", body.GetProperty("bio").GetString());
        }

        using var cleared = await client.SendJsonAsync(HttpMethod.Patch, "/api/auth/profile", new { bio = "" }, tokens.AccessToken);
        var final = await cleared.JsonAsync();
        Assert.Equal(JsonValueKind.Null, final.GetProperty("bio").ValueKind);
        Assert.Equal("Ada", final.GetProperty("name").GetString());

        using var blankName = await client.SendJsonAsync(HttpMethod.Patch, "/api/auth/profile", new { name = "   " }, tokens.AccessToken);
        await ProblemAssert.IsValidationProblemAsync(blankName, "name");
    }

    [Fact]
    public async Task Changing_the_password_signs_out_every_other_session_but_this_one()
    {
        using var client = stack.CreateApiClient();
        var laptop = await TestAccounts.RegisterAsync(client);
        var phone = await TestAccounts.LoginAsync(client, laptop.Email);
        const string newPassword = "a-brand-new-and-longer-passphrase";

        using (var wrongCurrent = await client.PostJsonAsync("/api/auth/password", new { currentPassword = "not-my-password!", newPassword }, laptop.AccessToken))
        {
            await ProblemAssert.IsValidationProblemAsync(wrongCurrent, "currentPassword");
        }

        using (var change = await client.PostJsonAsync("/api/auth/password", new { currentPassword = TestAccounts.Password, newPassword }, laptop.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, change.StatusCode);
        }

        using (var phoneAccess = await client.GetAsync("/api/auth/profile", phone.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(phoneAccess, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }

        using (var phoneRefresh = await client.PostJsonAsync("/api/auth/refresh", new { refreshToken = phone.RefreshToken }))
        {
            await ProblemAssert.IsProblemAsync(phoneRefresh, HttpStatusCode.Unauthorized, "INVALID_REFRESH_TOKEN");
        }

        using (var laptopAccess = await client.GetAsync("/api/auth/profile", laptop.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, laptopAccess.StatusCode);
        }

        using var oldPassword = await client.PostJsonAsync("/api/auth/login", new { email = laptop.Email, password = TestAccounts.Password });
        await ProblemAssert.IsProblemAsync(oldPassword, HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        await TestAccounts.LoginAsync(client, laptop.Email, newPassword);
    }

    [Fact]
    public async Task A_session_ends_at_its_absolute_lifetime_however_often_it_is_refreshed()
    {
        using var client = stack.CreateApiClient();

        // Signed in 80 days ago (the lifetime is 90 days by default): a refresh works, but the new refresh token
        // ends with the session instead of 30 days from now.
        var young = await TestAccounts.RegisterAsync(client);
        await stack.ExecuteAsync("UPDATE auth_sessions SET created_at = created_at - interval '80 days' WHERE user_id = @id", new { id = young.UserId });
        using (var refreshed = await client.PostJsonAsync("/api/auth/refresh", new { refreshToken = young.RefreshToken }))
        {
            Assert.Equal(HttpStatusCode.OK, refreshed.StatusCode);
        }

        Assert.Equal(1, await stack.CountAsync(
            """
            SELECT count(*) FROM refresh_tokens t JOIN auth_sessions s ON s.id = t.session_id
            WHERE s.user_id = @id AND t.rotated_at IS NULL AND t.expires_at = s.created_at + interval '90 days'
            """,
            new { id = young.UserId }));

        // Signed in 91 days ago: the refresh is refused with its own code, and the session is closed.
        var old = await TestAccounts.RegisterAsync(client);
        await stack.ExecuteAsync("UPDATE auth_sessions SET created_at = created_at - interval '91 days' WHERE user_id = @id", new { id = old.UserId });
        using (var expired = await client.PostJsonAsync("/api/auth/refresh", new { refreshToken = old.RefreshToken }))
        {
            var problem = await ProblemAssert.IsProblemAsync(expired, HttpStatusCode.Unauthorized, "SESSION_EXPIRED");
            Assert.Contains("Log in again", problem.GetProperty("detail").GetString());
        }

        using (var access = await client.GetAsync("/api/auth/profile", old.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(access, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }

        Assert.Equal(1, await stack.CountAsync(
            "SELECT count(*) FROM auth_sessions WHERE user_id = @id AND revoke_reason = 'session_expired'", new { id = old.UserId }));
        await TestAccounts.LoginAsync(client, old.Email);
    }

    [Fact]
    public async Task Responses_carrying_tokens_are_never_stored_by_a_cache()
    {
        using var client = stack.CreateApiClient();
        var email = TestAccounts.NewEmail("no-store");

        using var registered = await client.PostJsonAsync("/api/auth/register", new { email, password = TestAccounts.Password, name = "Ada" });
        using var loggedIn = await client.PostJsonAsync("/api/auth/login", new { email, password = TestAccounts.Password });
        var refreshToken = (await loggedIn.JsonAsync()).GetProperty("refreshToken").GetString();
        using var refreshed = await client.PostJsonAsync("/api/auth/refresh", new { refreshToken });

        foreach (var (response, status) in new[] { (registered, HttpStatusCode.Accepted), (loggedIn, HttpStatusCode.OK), (refreshed, HttpStatusCode.OK) })
        {
            Assert.Equal(status, response.StatusCode);
            Assert.True(response.Headers.CacheControl?.NoStore, $"{response.RequestMessage?.RequestUri}: Cache-Control {response.Headers.CacheControl}");
            Assert.Equal("no-cache", response.Headers.Pragma.ToString());
        }

        using var document = await client.GetAsync("/openapi/v1.json");
        var paths = (await document.JsonAsync()).GetProperty("paths");
        foreach (var (path, status) in new[] { ("/api/auth/register", "202"), ("/api/auth/login", "200"), ("/api/auth/refresh", "200") })
        {
            var headers = paths.GetProperty(path).GetProperty("post").GetProperty("responses").GetProperty(status).GetProperty("headers");
            Assert.True(headers.TryGetProperty("Cache-Control", out _), $"{path} declares Cache-Control");
            Assert.True(headers.TryGetProperty("Pragma", out _), $"{path} declares Pragma");
        }
    }

    [Fact]
    public async Task Jwks_is_served_with_a_cache_lifetime_and_only_public_parts()
    {
        using var client = stack.CreateApiClient();

        using var response = await client.GetAsync("/.well-known/jwks.json");

        Assert.Equal("application/jwk-set+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TimeSpan.FromMinutes(5), response.Headers.CacheControl?.MaxAge);
        var text = await response.Content.ReadAsStringAsync();
        foreach (var privatePart in new[] { "\"d\"", "\"p\"", "\"q\"", "\"dp\"", "\"dq\"", "\"qi\"" })
        {
            Assert.DoesNotContain(privatePart, text);
        }

        Assert.Contains("\"n\"", text);
    }
}
