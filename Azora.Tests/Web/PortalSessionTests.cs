using System.Net;
using AngleSharp.Dom;
using Azora.Tests.Api;
using Azora.Tests.Stack;

namespace Azora.Tests.Web;

/// <summary>
/// Signing up, in and out of the portal: a cookie that holds no token, the API's tokens kept and refreshed on the
/// server (the test stack's portal refreshes on every request), and signing out ending the API session.
/// </summary>
[Collection(StackCollection.Name)]
public class PortalSessionTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task Signing_up_lands_on_my_learning_with_a_session_cookie_that_holds_no_token()
    {
        using var browser = await PortalBrowser.OpenAsync(stack);
        var email = TestAccounts.NewEmail("portal-signup");

        var landed = await browser.SubmitAsync(await browser.ReadAsync("/sign-up"), new Dictionary<string, string>
        {
            ["Form.Name"] = "Grace Hopper",
            ["Form.Email"] = email,
            ["Form.Password"] = TestAccounts.Password,
        });

        Assert.Equal("/learning", browser.Location!.AbsolutePath);
        Assert.Contains("Grace Hopper", landed.QuerySelector("[data-testid=welcome]")!.TextContent);
        Assert.NotNull(landed.QuerySelector("[data-testid=no-enrollments]"));
        Assert.Equal("Grace Hopper", landed.QuerySelector("[data-testid=nav-account]")!.TextContent);

        var cookie = browser.SessionCookie!;
        Assert.True(cookie.HttpOnly);
        Assert.DoesNotContain("eyJ", cookie.Value, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", landed.DocumentElement.OuterHtml, StringComparison.Ordinal);
        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM users WHERE lower(email) = lower(@email)", new { email }));
    }

    [Fact]
    public async Task The_api_refusals_of_a_sign_up_appear_next_to_their_fields_and_the_password_is_not_sent_back()
    {
        using var browser = await PortalBrowser.OpenAsync(stack);

        var refused = await browser.SubmitAsync(await browser.ReadAsync("/sign-up"), new Dictionary<string, string>
        {
            ["Form.Name"] = "Short Password",
            ["Form.Email"] = TestAccounts.NewEmail("portal-short"),
            ["Form.Password"] = "tooshort",
        });

        Assert.Contains("at least 12 characters", refused.QuerySelector("[data-testid=password-error]")!.TextContent);
        Assert.Equal("", refused.QuerySelector("input#password")!.GetAttribute("value") ?? "");
        Assert.Null(browser.SessionCookie);
    }

    [Fact]
    public async Task A_wrong_password_is_told_and_signs_no_one_in()
    {
        using var api = stack.CreateApiClient();
        var account = await TestAccounts.RegisterAsync(api);
        using var browser = await PortalBrowser.OpenAsync(stack);

        var refused = await browser.SubmitAsync(await browser.ReadAsync("/sign-in"), new Dictionary<string, string>
        {
            ["Form.Email"] = account.Email,
            ["Form.Password"] = "not the password at all",
        });

        Assert.NotNull(refused.QuerySelector("[data-testid=form-error]"));
        Assert.Null(browser.SessionCookie);
        Assert.NotNull(refused.QuerySelector("[data-testid=nav-sign-in]"));
    }

    [Fact]
    public async Task A_private_page_sends_to_sign_in_and_back_and_only_to_a_page_of_the_portal()
    {
        using var api = stack.CreateApiClient();
        var account = await TestAccounts.RegisterAsync(api);
        using var browser = await PortalBrowser.OpenAsync(stack);

        var signIn = await browser.ReadAsync("/learning");
        Assert.Equal("/sign-in", browser.Location!.AbsolutePath);
        Assert.Equal("?returnUrl=%2Flearning", browser.Location.Query);

        await browser.SignInOnAsync(signIn, account.Email);
        Assert.Equal("/learning", browser.Location!.AbsolutePath);

        // A link that would take a person to another site after signing in takes them to their learning instead.
        using var elsewhere = await PortalBrowser.OpenAsync(stack);
        await elsewhere.SignInOnAsync(await elsewhere.ReadAsync("/sign-in?returnUrl=https%3A%2F%2Fevil.example%2F"), account.Email);
        Assert.Equal(elsewhere.BaseAddress.Host, elsewhere.Location!.Host);
        Assert.Equal("/learning", elsewhere.Location.AbsolutePath);
    }

    [Fact]
    public async Task Concurrent_requests_of_one_session_refresh_its_tokens_one_at_a_time_and_it_stays_signed_in()
    {
        using var api = stack.CreateApiClient();
        var account = await TestAccounts.RegisterAsync(api);
        using var browser = await PortalBrowser.OpenAsync(stack);
        await browser.SignInOnAsync(await browser.ReadAsync("/sign-in"), account.Email);
        var rotationsBefore = await RefreshTokensAsync(account.UserId);

        // Each request refreshes (the test stack's margin); a refresh token used twice would end the session.
        var pages = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => browser.ReadAsync("/learning")));

        Assert.All(pages, page => Assert.NotNull(page.QuerySelector("[data-testid=nav-account]")));
        Assert.NotNull((await browser.ReadAsync("/learning")).QuerySelector("[data-testid=nav-account]"));
        Assert.True(await RefreshTokensAsync(account.UserId) > rotationsBefore);
        Assert.Equal(0, await stack.CountAsync(
            "SELECT count(*) FROM auth_sessions WHERE user_id = @UserId AND revoked_at IS NOT NULL", new { account.UserId }));
    }

    [Fact]
    public async Task Signing_out_ends_the_api_session_and_the_old_cookie_opens_nothing()
    {
        using var api = stack.CreateApiClient();
        var account = await TestAccounts.RegisterAsync(api);
        using var browser = await PortalBrowser.OpenAsync(stack);
        var learning = await browser.SignInOnAsync(await browser.ReadAsync("/sign-in"), account.Email);
        var stolen = browser.SessionCookie!;

        var home = await browser.SubmitAsync(learning, formSelector: "form[action='/sign-out']");

        Assert.NotNull(home.QuerySelector("[data-testid=nav-sign-in]"));
        Assert.Null(browser.SessionCookie);
        Assert.Equal(1, await stack.CountAsync(
            "SELECT count(*) FROM auth_sessions WHERE user_id = @UserId AND revoke_reason = 'logout'", new { account.UserId }));

        using var replay = await PortalBrowser.OpenAsync(stack, followRedirects: false);
        replay.Cookies.Add(replay.BaseAddress, new Cookie(stolen.Name, stolen.Value));
        using var refused = await replay.GetAsync("/learning");
        Assert.Equal(HttpStatusCode.Found, refused.StatusCode);
        Assert.Equal("/sign-in", refused.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task Signing_out_without_the_antiforgery_token_is_refused()
    {
        using var api = stack.CreateApiClient();
        var account = await TestAccounts.RegisterAsync(api);
        using var browser = await PortalBrowser.OpenAsync(stack);
        await browser.SignInOnAsync(await browser.ReadAsync("/sign-in"), account.Email);

        using var forged = await browser.PostAsync("/sign-out", new Dictionary<string, string>());

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.NotNull((await browser.ReadAsync("/learning")).QuerySelector("[data-testid=nav-account]"));
    }

    private Task<long> RefreshTokensAsync(Guid userId) => stack.CountAsync(
        "SELECT count(*) FROM refresh_tokens t JOIN auth_sessions s ON s.id = t.session_id WHERE s.user_id = @userId", new { userId });
}
