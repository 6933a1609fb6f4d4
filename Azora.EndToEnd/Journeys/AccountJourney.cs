using Azora.EndToEnd.Support;
using Xunit.Abstractions;

namespace Azora.EndToEnd.Journeys;

public sealed class AccountJourney(AzoraTarget target, ITestOutputHelper output) : Journey(target, output)
{
    /// <summary>
    /// The sign-in endpoints answer and refuse what they must, without writing anything: production has no way to
    /// delete an account, so the smoke run never creates one (the full journey below runs locally and on staging).
    /// </summary>
    [Fact]
    [Trait("Category", "Smoke")]
    public Task A_stranger_is_refused_by_login_refresh_and_profile_and_the_token_keys_are_published() => RunAsync(async api =>
    {
        (await api.PostAsync("/api/auth/login", new { email = Accounts.NewEmail(), password = Accounts.Password })).ExpectProblem(401, "INVALID_CREDENTIALS");
        (await api.PostAsync("/api/auth/refresh", new { refreshToken = $"not-a-token-{Guid.NewGuid():N}" })).ExpectProblem(401, "INVALID_REFRESH_TOKEN");
        (await api.GetAsync("/api/auth/profile")).ExpectProblem(401, "UNAUTHORIZED");

        var keys = (await api.GetAsync("/.well-known/jwks.json")).Expect(200).Json.GetProperty("keys").EnumerateArray().ToList();
        Assert.NotEmpty(keys);
        Assert.All(keys, key => Assert.Equal("RSA", key.GetProperty("kty").GetString()));
    });

    [Fact]
    public Task A_visitor_registers_logs_in_refreshes_reads_the_profile_and_logs_out() => RunAsync(async api =>
    {
        var email = Accounts.NewEmail();
        // Register answers the same whether or not the email is taken, so it carries no tokens: the visitor then signs in.
        var registered = (await api.PostAsync("/api/auth/register", new { email, password = Accounts.Password, name = "Ada Lovelace" })).Expect(202);
        Assert.Equal(email, registered.Json.GetProperty("email").GetString());
        Assert.True(registered.Json.GetProperty("verificationSent").GetBoolean());
        var signedIn = (await api.PostAsync("/api/auth/login", new { email, password = Accounts.Password })).Expect(200);
        Assert.Equal("Bearer", signedIn.Json.GetProperty("tokenType").GetString());
        Assert.Equal(["learner"], signedIn.Json.GetProperty("user").GetProperty("roles").EnumerateArray().Select(role => role.GetString()));
        var firstSession = SignedIn.Read(signedIn.Json);

        var loggedIn = await Accounts.LoginAsync(api, email);
        Assert.Equal(firstSession.UserId, loggedIn.UserId);

        var refreshed = SignedIn.Read((await api.PostAsync("/api/auth/refresh", new { refreshToken = loggedIn.RefreshToken })).Expect(200).Json);
        Assert.NotEqual(loggedIn.RefreshToken, refreshed.RefreshToken);
        Assert.NotEqual(loggedIn.AccessToken, refreshed.AccessToken);

        var profile = (await api.GetAsync("/api/auth/profile", refreshed.AccessToken)).Expect(200).Json;
        Assert.Equal(firstSession.UserId, profile.GetProperty("id").GetGuid());
        Assert.Equal(email, profile.GetProperty("email").GetString());
        Assert.Equal("Ada Lovelace", profile.GetProperty("name").GetString());
        Assert.False(profile.GetProperty("emailVerified").GetBoolean());

        (await api.PostAsync("/api/auth/logout", bearer: refreshed.AccessToken)).Expect(204);
        (await api.GetAsync("/api/auth/profile", refreshed.AccessToken)).ExpectProblem(401, "UNAUTHORIZED");
        (await api.PostAsync("/api/auth/refresh", new { refreshToken = refreshed.RefreshToken })).ExpectProblem(401, "INVALID_REFRESH_TOKEN");

        // Logging out one session leaves the other (the first sign-in) signed in until it logs out too.
        (await api.GetAsync("/api/auth/profile", firstSession.AccessToken)).Expect(200);
        (await api.PostAsync("/api/auth/logout", bearer: firstSession.AccessToken)).Expect(204);
        (await api.GetAsync("/api/auth/profile", firstSession.AccessToken)).ExpectProblem(401, "UNAUTHORIZED");
    });
}
