using System.Net;
using System.Text.Json;
using Azora.Tests.Stack;

namespace Azora.Tests.Api;

/// <summary>Accounts made through the API itself, each with a fresh email so tests never share state.</summary>
internal static class TestAccounts
{
    public const string Password = "a-lantern-by-the-river-2026";

    public static string NewEmail(string purpose) => $"{purpose}-{Guid.NewGuid():N}@example.com";

    public static async Task<SignedIn> RegisterAsync(HttpClient client, string? email = null, string password = Password, string name = "Ada Lovelace")
    {
        email ??= NewEmail("learner");
        using var response = await client.PostJsonAsync("/api/auth/register", new { email, password, name });
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"Register answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return SignedIn.Read(await response.JsonAsync());
    }

    public static async Task<SignedIn> LoginAsync(HttpClient client, string email, string password = Password)
    {
        using var response = await client.PostJsonAsync("/api/auth/login", new { email, password });
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Login answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return SignedIn.Read(await response.JsonAsync());
    }
}

/// <summary>Roles are granted in the database (there is no API for it yet); a new login carries them in the token.</summary>
internal static class TestRoles
{
    public static async Task<SignedIn> SignInAsAsync(AzoraStackFixture stack, HttpClient client, string role)
    {
        var account = await TestAccounts.RegisterAsync(client, TestAccounts.NewEmail(role), name: $"Test {role}");
        await stack.ExecuteAsync("UPDATE users SET roles = ARRAY[@role] WHERE id = @id", new { role, id = account.UserId });
        return await TestAccounts.LoginAsync(client, account.Email);
    }
}
