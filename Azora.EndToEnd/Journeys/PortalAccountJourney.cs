using Azora.EndToEnd.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Azora.EndToEnd.Journeys;

/// <summary>A person signs up, out and in again through the portal. It makes an account: not part of the production smoke run.</summary>
public sealed class PortalAccountJourney(AzoraTarget target, ITestOutputHelper output) : BrowserJourney(target, output)
{
    [SkippableFact]
    public Task A_visitor_signs_up_lands_on_my_learning_signs_out_and_signs_in_again() => BrowseAsync(async (page, api) =>
    {
        var email = Accounts.NewEmail();
        const string name = "Grace Hopper";

        await VisitAsync(page, "/courses");
        await page.GetByTestId("nav-sign-up").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/sign-up");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Create your account", Level = 1 })).ToBeVisibleAsync();
        await CheckAccessibilityAsync(page);

        var form = page.GetByTestId("sign-up-form");
        await form.GetByLabel("Your name").FillAsync(name);
        await form.GetByLabel("Email", new() { Exact = true }).FillAsync(email);
        await form.GetByLabel("Password", new() { Exact = true }).FillAsync(Accounts.Password);
        await form.GetByTestId("sign-up-button").ClickAsync();

        // A new account lands on "My learning", signed in, with nothing in it yet.
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/learning");
        await AssertSignedInOnMyLearningAsync(page, name);
        await Assertions.Expect(page.GetByTestId("welcome")).ToContainTextAsync(name);
        await Assertions.Expect(page.GetByTestId("no-enrollments")).ToBeVisibleAsync();
        await CheckAccessibilityAsync(page);

        // The session lives in an HttpOnly cookie: no script on the page can read it.
        var cookies = await page.Context.CookiesAsync();
        Assert.NotEmpty(cookies);
        Assert.All(cookies, cookie => Assert.True(cookie.HttpOnly, $"The cookie {cookie.Name} can be read by scripts."));
        Assert.Equal("", await page.EvaluateAsync<string>("() => document.cookie"));

        // The API has the account the portal made, with the password given there.
        var signedIn = await Accounts.LoginAsync(api, email);
        Assert.Equal(email, signedIn.Email);

        await page.GetByTestId("sign-out-button").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");
        await Assertions.Expect(page.GetByTestId("nav-sign-in")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("sign-out-button")).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByTestId("nav-my-learning")).ToHaveCountAsync(0);
        await CheckAccessibilityAsync(page);

        // Signed out, "My learning" sends to sign-in, which sends back after signing in.
        await page.GotoAsync("/learning");
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/sign-in");
        Assert.Contains("returnUrl=%2Flearning", new Uri(page.Url).Query, StringComparison.OrdinalIgnoreCase);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in", Level = 1 })).ToBeVisibleAsync();
        await CheckAccessibilityAsync(page);

        // A wrong password is refused on the form, which keeps the email and not the password.
        var signIn = page.GetByTestId("sign-in-form");
        await signIn.GetByLabel("Email", new() { Exact = true }).FillAsync(email);
        await signIn.GetByLabel("Password", new() { Exact = true }).FillAsync("not-the-password-at-all");
        await signIn.GetByTestId("sign-in-button").ClickAsync();
        await Assertions.Expect(page.GetByTestId("form-error")).ToBeVisibleAsync();
        await Assertions.Expect(signIn.GetByLabel("Email", new() { Exact = true })).ToHaveValueAsync(email);
        await Assertions.Expect(signIn.GetByLabel("Password", new() { Exact = true })).ToHaveValueAsync("");
        await Assertions.Expect(page.GetByTestId("nav-sign-in")).ToBeVisibleAsync();
        await CheckAccessibilityAsync(page);

        await signIn.GetByLabel("Password", new() { Exact = true }).FillAsync(Accounts.Password);
        await signIn.GetByTestId("sign-in-button").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/learning");
        await AssertSignedInOnMyLearningAsync(page, name);
        await Assertions.Expect(page.GetByTestId("welcome")).ToHaveCountAsync(0);
        await CheckAccessibilityAsync(page);
    });

    private static async Task AssertSignedInOnMyLearningAsync(IPage page, string name)
    {
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "My learning", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("nav-account")).ToHaveTextAsync(name);
        await Assertions.Expect(page.GetByTestId("nav-my-learning")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("sign-out-button")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("nav-sign-in")).ToHaveCountAsync(0);
    }
}
