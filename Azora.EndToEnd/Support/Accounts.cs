using System.Text.Json;

namespace Azora.EndToEnd.Support;

/// <summary>Fresh accounts made through the API, so journeys share no state and can run against any environment.</summary>
internal static class Accounts
{
    public const string Password = "a-lantern-by-the-river-2026";

    public static string NewEmail() => $"e2e-{Guid.NewGuid():N}@example.com";

    /// <summary>Registers (202: no tokens, a verification mail) and signs in, as a client does; the email is not verified yet.</summary>
    public static async Task<SignedIn> RegisterAsync(ApiClient api, string? email = null, string name = "Ada Lovelace")
    {
        email ??= NewEmail();
        (await api.PostAsync("/api/auth/register", new { email, password = Password, name })).Expect(202);
        return await LoginAsync(api, email);
    }

    /// <summary>A registered account whose email is verified, so it can pay (see <see cref="AzoraTarget.VerifyEmailAsync"/>).</summary>
    public static async Task<SignedIn> RegisterVerifiedAsync(AzoraTarget target, ApiClient api)
    {
        var account = await RegisterAsync(api);
        await target.VerifyEmailAsync(api, account);
        return account;
    }

    public static async Task<SignedIn> LoginAsync(ApiClient api, string email) =>
        SignedIn.Read((await api.PostAsync("/api/auth/login", new { email, password = Password })).Expect(200).Json);

    /// <summary>A new account with this role (granted in the database, as there is no API for roles), signed in again so its token carries the role.</summary>
    public static async Task<SignedIn> SignInAsAsync(AzoraTarget target, ApiClient api, string role)
    {
        var account = await RegisterAsync(api, name: $"E2E {role}");
        await target.GrantRoleAsync(account.UserId, role);
        return await LoginAsync(api, account.Email);
    }
}
