using System.Net;
using System.Text.Json;
using Azora.Tests.Stack;

namespace Azora.Tests.Api;

/// <summary>Accounts made through the API itself, each with a fresh email so tests never share state.</summary>
internal static class TestAccounts
{
    public const string Password = "a-lantern-by-the-river-2026";

    public static string NewEmail(string purpose) => $"{purpose}-{Guid.NewGuid():N}@example.com";

    /// <summary>Registers (202, nothing signed in) and then signs in, as a client does; the email is not verified.</summary>
    public static async Task<SignedIn> RegisterAsync(HttpClient client, string? email = null, string password = Password, string name = "Ada Lovelace")
    {
        email = await RegisterWithoutSigningInAsync(client, email, password, name);
        return await LoginAsync(client, email, password);
    }

    /// <summary>Only the register request, for tests that count sign-ins; returns the email.</summary>
    public static async Task<string> RegisterWithoutSigningInAsync(HttpClient client, string? email = null, string password = Password, string name = "Ada Lovelace")
    {
        email ??= NewEmail("learner");
        using var response = await client.PostJsonAsync("/api/auth/register", new { email, password, name });
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Register answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return email;
    }

    /// <summary>
    /// A registered account marked verified in the database, for tests about something else that need to pay; the
    /// verification flow itself is tested through the mail (EmailVerificationTests).
    /// </summary>
    public static async Task<SignedIn> RegisterVerifiedAsync(AzoraStackFixture stack, HttpClient client, string? email = null, string name = "Ada Lovelace")
    {
        var account = await RegisterAsync(client, email, name: name);
        await stack.ExecuteAsync("UPDATE users SET email_verified_at = now() WHERE id = @id", new { id = account.UserId });
        return account;
    }

    public static async Task<SignedIn> LoginAsync(HttpClient client, string email, string password = Password)
    {
        using var response = await client.PostJsonAsync("/api/auth/login", new { email, password });
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Login answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return SignedIn.Read(await response.JsonAsync());
    }
}

/// <summary>
/// Roles are granted in the database (there is no API for it yet); a new login carries them in the token. Such staff
/// accounts are verified there too, as the admin command's accounts are.
/// </summary>
internal static class TestRoles
{
    public static async Task<SignedIn> SignInAsAsync(AzoraStackFixture stack, HttpClient client, string role)
    {
        var account = await TestAccounts.RegisterAsync(client, TestAccounts.NewEmail(role), name: $"Test {role}");
        await stack.ExecuteAsync("UPDATE users SET roles = ARRAY[@role], email_verified_at = now() WHERE id = @id", new { role, id = account.UserId });
        return await TestAccounts.LoginAsync(client, account.Email);
    }
}
