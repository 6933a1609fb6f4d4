using System.Net;
using AngleSharp.Dom;
using Azora.Tests.Api;
using Azora.Tests.Stack;

namespace Azora.Tests.Web;

/// <summary>The account pages: forgotten password by mail, profile, email, password, data export and deletion.</summary>
[Collection(StackCollection.Name)]
public class PortalAccountTests(AzoraStackFixture stack)
{
    private const string NewPassword = "a-kettle-on-the-hill-2026";

    [Fact]
    public async Task A_forgotten_password_is_replaced_through_the_mailed_link_once()
    {
        using var api = stack.CreateApiClient();
        var account = await TestAccounts.RegisterAsync(api);
        using var browser = await PortalBrowser.OpenAsync(stack);

        var sent = await browser.SubmitAsync(await browser.ReadAsync("/forgot-password"), new Dictionary<string, string> { ["Form.Email"] = account.Email });
        Assert.NotNull(sent.QuerySelector("[data-testid=reset-mail-sent]"));
        var link = (await TestInbox.SingleAsync(stack, account.Email, "Reset your Azora password")).Links.Single(found => found.AbsolutePath == "/reset-password");

        var resetPage = await browser.ReadAsync(link.PathAndQuery);
        var done = await browser.SubmitAsync(resetPage, new Dictionary<string, string> { ["Form.NewPassword"] = NewPassword });
        Assert.NotNull(done.QuerySelector("[data-testid=password-reset-done]"));

        var signedIn = await browser.SignInAsync(account.Email, NewPassword);
        Assert.NotNull(signedIn.QuerySelector("[data-testid=nav-account]"));

        // The link works once: the same form again is refused with the API's words, and says how to get a new one.
        var again = await browser.SubmitAsync(await browser.ReadAsync(link.PathAndQuery), new Dictionary<string, string> { ["Form.NewPassword"] = NewPassword });
        Assert.NotNull(again.QuerySelector("[data-testid=form-error] a[href='/forgot-password']"));
        Assert.Null((await browser.ReadAsync("/reset-password")).QuerySelector("[data-testid=reset-password-button]"));
    }

    [Fact]
    public async Task An_unknown_email_gets_the_same_answer_as_a_known_one()
    {
        using var browser = await PortalBrowser.OpenAsync(stack);
        var sent = await browser.SubmitAsync(await browser.ReadAsync("/forgot-password"), new Dictionary<string, string> { ["Form.Email"] = TestAccounts.NewEmail("nobody") });
        Assert.NotNull(sent.QuerySelector("[data-testid=reset-mail-sent]"));
    }

    [Fact]
    public async Task The_profile_is_saved_and_refusals_are_shown_next_to_their_field()
    {
        using var api = stack.CreateApiClient();
        var account = await TestAccounts.RegisterAsync(api);
        using var browser = await PortalBrowser.OpenAsync(stack);
        var page = await browser.SignInAsync(account.Email, returnUrl: "/account");
        Assert.Contains(account.Email, page.QuerySelector("[data-testid=email-status]")!.TextContent);

        var saved = await browser.SubmitAsync(page, new Dictionary<string, string> { ["Profile.Name"] = "Katherine Johnson", ["Profile.Bio"] = "Orbits & <b>maths</b>" }, "form#profile-form");
        Assert.NotNull(saved.QuerySelector("[data-testid=profile-saved]"));
        Assert.Equal("Orbits & <b>maths</b>", saved.QuerySelector("#bio")!.TextContent);
        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM users WHERE lower(email) = lower(@email) AND name = 'Katherine Johnson'", new { account.Email }));

        var refused = await browser.SubmitAsync(saved, new Dictionary<string, string> { ["Profile.Name"] = new string('x', 101) }, "form#profile-form");
        Assert.NotNull(refused.QuerySelector("[data-testid=name-error]"));
    }

    [Fact]
    public async Task Changing_the_password_keeps_this_browser_signed_in_and_ends_other_sessions()
    {
        using var api = stack.CreateApiClient();
        var account = await TestAccounts.RegisterAsync(api);
        using var browser = await PortalBrowser.OpenAsync(stack);
        var page = await browser.SignInAsync(account.Email, returnUrl: "/account");

        var wrong = await browser.SubmitAsync(page, new Dictionary<string, string>
        {
            ["Password.CurrentPassword"] = "not my password at all",
            ["Password.NewPassword"] = NewPassword,
        }, "form#change-password-form");
        Assert.Null(wrong.QuerySelector("[data-testid=password-changed]"));
        Assert.NotNull(wrong.QuerySelector("[data-testid=password-error], [data-testid=currentPassword-error]"));

        var changed = await browser.SubmitAsync(wrong, new Dictionary<string, string>
        {
            ["Password.CurrentPassword"] = TestAccounts.Password,
            ["Password.NewPassword"] = NewPassword,
        }, "form#change-password-form");
        Assert.NotNull(changed.QuerySelector("[data-testid=password-changed]"));
        Assert.NotNull((await browser.ReadAsync("/learning")).QuerySelector("[data-testid=nav-account]"));
        Assert.Equal(1, await stack.CountAsync(
            "SELECT count(*) FROM auth_sessions WHERE user_id = @UserId AND revoke_reason = 'password_changed'", new { account.UserId }));
    }

    [Fact]
    public async Task The_data_export_is_a_json_download_for_its_owner_only()
    {
        using var api = stack.CreateApiClient();
        var account = await TestAccounts.RegisterAsync(api);
        using var browser = await PortalBrowser.OpenAsync(stack);
        await browser.SignInAsync(account.Email);

        using var export = await browser.GetAsync("/account/export");
        Assert.Equal(HttpStatusCode.OK, export.StatusCode);
        Assert.Equal("application/json", export.Content.Headers.ContentType?.MediaType);
        Assert.Equal("azora-account.json", export.Content.Headers.ContentDisposition?.FileNameStar ?? export.Content.Headers.ContentDisposition?.FileName);
        Assert.Contains(account.Email, await export.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);

        using var anonymous = await PortalBrowser.OpenAsync(stack, followRedirects: false);
        using var refused = await anonymous.GetAsync("/account/export");
        Assert.Equal(HttpStatusCode.Found, refused.StatusCode);
        Assert.Equal("/sign-in", refused.Headers.Location!.AbsolutePath);
    }

    [Fact]
    public async Task Deleting_the_account_needs_the_password_then_signs_out_for_good()
    {
        using var api = stack.CreateApiClient();
        var account = await TestAccounts.RegisterAsync(api);
        using var browser = await PortalBrowser.OpenAsync(stack);
        await browser.SignInAsync(account.Email);
        var page = await browser.ReadAsync("/account/delete");

        var refused = await browser.SubmitAsync(page, new Dictionary<string, string> { ["Form.Password"] = "not my password at all" });
        Assert.NotNull(refused.QuerySelector("[data-testid=form-error], [data-testid=password-error]"));
        Assert.Equal(0, await DeletedAsync(account.UserId));

        var home = await browser.SubmitAsync(refused, new Dictionary<string, string> { ["Form.Password"] = TestAccounts.Password });
        Assert.NotNull(home.QuerySelector("[data-testid=nav-sign-in]"));
        Assert.Null(browser.SessionCookie);
        Assert.Equal(1, await DeletedAsync(account.UserId));

        var again = await browser.SignInAsync(account.Email);
        Assert.NotNull(again.QuerySelector("[data-testid=form-error]"));
    }

    private Task<long> DeletedAsync(Guid userId) =>
        stack.CountAsync("SELECT count(*) FROM users WHERE id = @userId AND deleted_at IS NOT NULL", new { userId });
}
