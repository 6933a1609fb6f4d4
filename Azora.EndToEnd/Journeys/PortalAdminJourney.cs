using Azora.EndToEnd.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Azora.EndToEnd.Journeys;

/// <summary>An admin finds a user in the portal and makes them an instructor. It makes an admin: not production smoke.</summary>
public sealed class PortalAdminJourney(AzoraTarget target, ITestOutputHelper output) : BrowserJourney(target, output)
{
    [SkippableFact]
    public Task An_admin_finds_a_learner_and_grants_instructor_which_the_learner_holds_from_their_next_sign_in() => BrowseAsync(async (page, api) =>
    {
        Skip.IfNot(AzoraTarget.CanGrantRoles, $"Needs a way to make admins ({AzoraTarget.KubectlNamespaceVariable})");
        var admin = await Accounts.SignInAsAsync(Target, api, "admin");
        var learner = await Accounts.RegisterAsync(api, name: "Future Instructor");

        await VisitAsync(page, "/sign-in");
        await SignInAsync(page, admin.Email);
        await page.GetByTestId("nav-admin").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/admin/users");
        await CheckAccessibilityAsync(page);

        // The search goes into the URL, so it can be shared and survives the change below.
        await page.GetByTestId("user-search").GetByLabel("Email or name").FillAsync(learner.Email);
        await page.GetByRole(AriaRole.Button, new() { Name = "Find users" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).Query.Contains(Uri.EscapeDataString(learner.Email), StringComparison.Ordinal));
        var row = page.GetByTestId("admin-user");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row.GetByTestId("user-roles")).ToHaveTextAsync("Roles: learner");
        await CheckAccessibilityAsync(page);

        await row.GetByTestId("grant-instructor").ClickAsync();
        await Assertions.Expect(page.GetByTestId("done")).ToBeVisibleAsync();
        await Assertions.Expect(row.GetByTestId("user-roles")).ToHaveTextAsync("Roles: learner, instructor");
        await CheckAccessibilityAsync(page);

        // The learner signs in and finds the studio.
        await page.GetByTestId("sign-out-button").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        await VisitAsync(page, "/sign-in");
        await SignInAsync(page, learner.Email);
        await page.GetByTestId("nav-studio").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/studio");
        await CheckAccessibilityAsync(page);
    });

    private static async Task SignInAsync(IPage page, string email)
    {
        var form = page.GetByTestId("sign-in-form");
        await form.GetByLabel("Email", new() { Exact = true }).FillAsync(email);
        await form.GetByLabel("Password", new() { Exact = true }).FillAsync(Accounts.Password);
        await form.GetByTestId("sign-in-button").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/learning");
    }
}
