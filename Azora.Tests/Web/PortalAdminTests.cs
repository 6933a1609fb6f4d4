using System.Net;
using AngleSharp.Dom;
using Azora.Tests.Api;
using Azora.Tests.Stack;

namespace Azora.Tests.Web;

/// <summary>
/// User administration in the portal: finding users by a search kept in the URL, granting a role that the user holds
/// from their next sign-in, and disabling an account so that its owner cannot sign in and is told why.
/// </summary>
[Collection(StackCollection.Name)]
public class PortalAdminTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task An_admin_grants_instructor_to_a_learner_who_finds_the_studio_after_signing_in_again()
    {
        using var api = stack.CreateApiClient();
        var learner = await TestAccounts.RegisterAsync(api, TestAccounts.NewEmail("portal-grant"), name: "Future Instructor");
        using var learnerBrowser = await PortalBrowser.OpenAsync(stack);
        Assert.Null((await learnerBrowser.SignInAsync(learner.Email)).QuerySelector("[data-testid=nav-studio]"));

        using var adminBrowser = await SignInAsAdminAsync(api);
        var users = await adminBrowser.ReadAsync($"/admin/users?q={Uri.EscapeDataString(learner.Email)}");
        Assert.Equal(learner.Email, users.QuerySelector("input#q")!.GetAttribute("value"));
        var row = Assert.Single(Rows(users));
        Assert.Equal("Roles: learner", row.QuerySelector("[data-testid=user-roles]")!.TextContent);

        var changed = await PressAsync(adminBrowser, users, row, "grant-instructor");
        Assert.Equal($"/admin/users?q={Uri.EscapeDataString(learner.Email)}&done=roles", adminBrowser.Location!.PathAndQuery);
        Assert.NotNull(changed.QuerySelector("[data-testid=done]"));
        row = Assert.Single(Rows(changed));
        Assert.Equal("Roles: learner, instructor", row.QuerySelector("[data-testid=user-roles]")!.TextContent);
        Assert.NotNull(row.QuerySelector("[data-testid=revoke-instructor]"));

        // The role change ended the learner's sessions: the portal signs them out, and the next sign-in carries the role.
        var again = await learnerBrowser.ReadAsync("/learning");
        Assert.Equal("/sign-in", learnerBrowser.Location!.AbsolutePath);
        var landed = await learnerBrowser.SignInOnAsync(again, learner.Email);
        Assert.NotNull(landed.QuerySelector("[data-testid=nav-studio]"));
        Assert.NotNull((await learnerBrowser.ReadAsync("/studio")).QuerySelector("[data-testid=new-course]"));

        // Revoking takes it away again.
        var revoked = await PressAsync(adminBrowser, changed, Assert.Single(Rows(changed)), "revoke-instructor");
        Assert.Equal("Roles: learner", Assert.Single(Rows(revoked)).QuerySelector("[data-testid=user-roles]")!.TextContent);
    }

    [Fact]
    public async Task A_disabled_user_cannot_sign_in_and_is_told_in_the_apis_words_until_enabled()
    {
        using var api = stack.CreateApiClient();
        var user = await TestAccounts.RegisterAsync(api, TestAccounts.NewEmail("portal-disable"));
        using var adminBrowser = await SignInAsAdminAsync(api);
        var users = await adminBrowser.ReadAsync($"/admin/users?q={Uri.EscapeDataString(user.Email)}");

        var disabled = await PressAsync(adminBrowser, users, Assert.Single(Rows(users)), "disable-user");
        var row = Assert.Single(Rows(disabled));
        Assert.Equal("Disabled", row.QuerySelector("[data-testid=user-status]")!.TextContent);
        Assert.NotNull(row.QuerySelector("[data-testid=enable-user]"));

        using var userBrowser = await PortalBrowser.OpenAsync(stack);
        var refused = await userBrowser.SignInAsync(user.Email);
        Assert.Equal("/sign-in", userBrowser.Location!.AbsolutePath);
        Assert.Equal(await LoginRefusalAsync(api, user.Email), refused.QuerySelector("[data-testid=form-error]")!.TextContent);
        Assert.Null(userBrowser.SessionCookie);

        var enabled = await PressAsync(adminBrowser, disabled, row, "enable-user");
        Assert.Equal("Active", Assert.Single(Rows(enabled)).QuerySelector("[data-testid=user-status]")!.TextContent);
        Assert.NotNull((await userBrowser.SignInAsync(user.Email)).QuerySelector("[data-testid=nav-account]"));
    }

    [Fact]
    public async Task The_user_search_and_its_pages_stay_in_the_url()
    {
        using var api = stack.CreateApiClient();
        var word = $"pager{Guid.NewGuid():N}"[..16];
        for (var i = 0; i < 21; i++)
        {
            await TestAccounts.RegisterWithoutSigningInAsync(api, $"{word}-{i:00}@example.com");
        }

        using var adminBrowser = await SignInAsAdminAsync(api);
        var first = await adminBrowser.ReadAsync($"/admin/users?q={word}");
        Assert.Equal("21 users", first.QuerySelector("[data-testid=user-count]")!.TextContent);
        Assert.Equal(20, Rows(first).Count);
        var next = first.QuerySelector("[data-testid=next-page]")!.GetAttribute("href")!;
        Assert.Equal($"/admin/users?q={word}&page=2", next);

        var second = await adminBrowser.ReadAsync(next);
        Assert.Equal($"{word}-20@example.com", Assert.Single(Rows(second)).GetAttribute("data-email"));
        Assert.Equal($"/admin/users?q={word}", second.QuerySelector("[data-testid=previous-page]")!.GetAttribute("href"));
        Assert.Null(second.QuerySelector("[data-testid=next-page]"));
    }

    private async Task<PortalBrowser> SignInAsAdminAsync(HttpClient api)
    {
        var admin = await TestRoles.SignInAsAsync(stack, api, "admin");
        var browser = await PortalBrowser.OpenAsync(stack);
        Assert.NotNull((await browser.SignInAsync(admin.Email)).QuerySelector("[data-testid=nav-admin]"));
        return browser;
    }

    /// <summary>Presses one of a row's buttons: the form posts that button's name and value, as a browser does.</summary>
    private static Task<IDocument> PressAsync(PortalBrowser browser, IDocument page, IElement row, string testId)
    {
        var button = row.QuerySelector($"[data-testid={testId}]") ?? throw new InvalidOperationException($"No {testId} button in the row.");
        return browser.SubmitAsync(page, new Dictionary<string, string> { [button.GetAttribute("name")!] = button.GetAttribute("value")! }, "form[data-testid=user-actions-form]");
    }

    private static List<IElement> Rows(IDocument page) => [.. page.QuerySelectorAll("[data-testid=admin-user]")];

    /// <summary>What the API itself answers this account's sign-in, so the test checks the portal passes on its words.</summary>
    private static async Task<string> LoginRefusalAsync(HttpClient api, string email)
    {
        using var response = await api.PostJsonAsync("/api/auth/login", new { email, password = TestAccounts.Password });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        var problem = await response.JsonAsync();
        Assert.Equal("ACCOUNT_DISABLED", problem.GetProperty("code").GetString());
        return problem.GetProperty("detail").GetString()!;
    }
}
