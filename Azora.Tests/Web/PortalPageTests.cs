using System.Net;
using AngleSharp.Dom;
using Azora.Tests.Api;
using Azora.Tests.Stack;

namespace Azora.Tests.Web;

/// <summary>The portal's public pages, served by the stack's web resource and read as a browser without JavaScript reads them.</summary>
[Collection(StackCollection.Name)]
public class PortalPageTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task The_catalog_page_renders_the_search_from_its_url_with_a_card_per_course()
    {
        using var api = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, api, "instructor");
        var word = $"portal{Guid.NewGuid():N}"[..20];
        await Courses.CreateAsync(api, instructor, title: $"Free {word} <b>basics</b>", lessons: 1);
        await Courses.CreateAsync(api, instructor, title: $"Paid {word} mastery", price: 4900, lessons: 1, level: "advanced");

        var everything = await PageAsync($"/courses?q={word}");
        Assert.Equal(2, Cards(everything).Count);
        Assert.Equal("2 courses", everything.QuerySelector("[data-testid=catalog-count]")!.TextContent);
        // The search stays in the form, so it can be refined; a title is text, never markup.
        Assert.Equal(word, everything.QuerySelector("input#q")!.GetAttribute("value"));
        Assert.Contains(Cards(everything), card => card.QuerySelector("h2")!.TextContent == $"Free {word} <b>basics</b>");
        Assert.Empty(everything.QuerySelectorAll(".course-card h2 b"));

        var paid = await PageAsync($"/courses?q={word}&free=false&level=advanced");
        var card = Assert.Single(Cards(paid));
        Assert.Equal($"Paid {word} mastery", card.QuerySelector("h2")!.TextContent);
        Assert.Equal("49.00 USD", card.QuerySelector("[data-testid=course-price]")!.TextContent);
        Assert.Equal("false", paid.QuerySelector("select#free option[selected]")!.GetAttribute("value"));
        Assert.Equal("advanced", paid.QuerySelector("select#level option[selected]")!.GetAttribute("value"));

        var none = await PageAsync($"/courses?q={word}&level=beginner&free=false");
        Assert.Empty(Cards(none));
        Assert.NotNull(none.QuerySelector("[data-testid=catalog-empty]"));

        // Both are in the programming category; another category has neither, and the choice stays in the form.
        Assert.Equal(2, Cards(await PageAsync($"/courses?q={word}&category=programming")).Count);
        var elsewhere = await PageAsync($"/courses?q={word}&category=music");
        Assert.Empty(Cards(elsewhere));
        Assert.Equal("music", elsewhere.QuerySelector("select#category option[selected]")!.GetAttribute("value"));
    }

    [Fact]
    public async Task Malformed_search_values_in_the_url_are_ignored_rather_than_refused()
    {
        var page = await PageAsync("/courses?page=abc&level=expert&free=maybe&sort=cheapest&category=no-such-category");

        Assert.NotEmpty(Cards(page));
        Assert.Null(page.QuerySelector("select#category option[selected]"));
        Assert.Equal("", page.QuerySelector("select#level option[selected]")?.GetAttribute("value") ?? "");
        Assert.Null(page.QuerySelector("[data-testid=previous-page]"));
    }

    [Fact]
    public async Task Paging_links_carry_the_search_and_move_through_the_catalog()
    {
        var first = await PageAsync("/courses?sort=title");
        var next = first.QuerySelector("[data-testid=next-page]")!.GetAttribute("href")!;
        Assert.Equal("/courses?sort=title&page=2", next);

        var second = await PageAsync(next);
        Assert.Equal("/courses?sort=title", second.QuerySelector("[data-testid=previous-page]")!.GetAttribute("href"));
        Assert.Empty(Titles(first).Intersect(Titles(second)));
    }

    [Fact]
    public async Task A_course_page_shows_its_outline_and_an_unknown_course_is_a_404_page()
    {
        using var api = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, api, "instructor");
        var course = await Courses.CreateAsync(api, instructor, title: $"Outline {Guid.NewGuid():N}", lessons: 3);

        var page = await PageAsync($"/courses/{course.Slug}");
        Assert.Equal(["Lesson 1", "Lesson 2", "Lesson 3"],
            page.QuerySelectorAll("[data-testid=lesson-list] li > span:first-child").Select(lesson => lesson.TextContent));
        Assert.Equal("Free", page.QuerySelector("[data-testid=course-price]")!.TextContent);

        using var web = await PortalBrowser.OpenAsync(stack);
        using var missing = await web.GetAsync("/courses/no-such-course-anywhere");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("Page not found", await missing.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_verification_link_from_the_mail_confirms_the_email_with_one_press_and_works_once()
    {
        using var api = stack.CreateApiClient();
        var email = await TestAccounts.RegisterWithoutSigningInAsync(api, TestAccounts.NewEmail("portal"));
        var link = (await TestInbox.SingleAsync(stack, email, "Confirm your email")).Links.Single(found => found.AbsolutePath == "/verify-email");

        // Opening the link changes nothing (mail scanners open links too); the button does.
        using var web = await PortalBrowser.OpenAsync(stack);
        var page = await web.ReadAsync(link.PathAndQuery);
        Assert.NotNull(page.QuerySelector("[data-testid=verify-button]"));
        Assert.Equal(0, await VerifiedAsync(email));

        var confirmed = await web.SubmitAsync(page);
        Assert.NotNull(confirmed.QuerySelector("[data-testid=email-verified]"));
        Assert.Equal(1, await VerifiedAsync(email));

        var again = await web.SubmitAsync(await web.ReadAsync(link.PathAndQuery));
        Assert.Contains("already used", again.QuerySelector("[data-testid=verify-error]")!.TextContent);

        var withoutToken = await web.ReadAsync("/verify-email");
        Assert.Null(withoutToken.QuerySelector("[data-testid=verify-button]"));
    }

    [Fact]
    public async Task A_verification_form_without_its_antiforgery_token_is_refused()
    {
        using var web = await PortalBrowser.OpenAsync(stack);
        using var forged = await web.PostAsync("/verify-email?token=whatever",
            new Dictionary<string, string> { ["_handler"] = "verify-email", ["Form.Token"] = "whatever" });
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
    }

    [Fact]
    public async Task Anonymous_visitors_share_a_briefly_cached_catalog_page_and_a_signed_in_browser_never_does()
    {
        var path = $"/courses?q=cached{Guid.NewGuid():N}";
        using var anonymous = await PortalBrowser.OpenAsync(stack);
        using (await anonymous.GetAsync(path))
        {
        }

        using var cached = await anonymous.GetAsync(path);
        Assert.True(cached.Headers.Age.HasValue, "A second anonymous read of the same catalog page comes from the output cache.");

        using var api = stack.CreateApiClient();
        var account = await TestAccounts.RegisterAsync(api);
        using var signedIn = await PortalBrowser.OpenAsync(stack);
        await signedIn.SignInAsync(account.Email);
        using var personal = await signedIn.GetAsync(path);
        Assert.Null(personal.Headers.Age);
        Assert.Contains("data-testid=\"nav-account\"", await personal.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_cached_page_answers_an_enhanced_navigation_as_blazor_expects_and_a_full_page_load_unframed()
    {
        // Blazor's enhanced navigation fetches a page with this Accept header and reloads the whole page unless the answer
        // says exactly blazor-enhanced-nav: allow; a full page load must not get the framed answer made for the script.
        const string Enhanced = "text/html; blazor-enhanced-nav=on";
        var path = $"/courses?q=enhanced{Guid.NewGuid():N}";
        using var browser = await PortalBrowser.OpenAsync(stack);
        using (var fullLoad = await browser.GetAsync(path, "text/html"))
        {
            Assert.False(fullLoad.Headers.Contains("ssr-framing"));
        }

        using (var navigation = await browser.GetAsync(path, Enhanced))
        {
            Assert.Equal("allow", Assert.Single(navigation.Headers.GetValues("blazor-enhanced-nav")));
        }

        using var cachedNavigation = await browser.GetAsync(path, Enhanced);
        Assert.True(cachedNavigation.Headers.Age.HasValue, "The second enhanced navigation comes from the output cache.");
        Assert.Equal("allow", Assert.Single(cachedNavigation.Headers.GetValues("blazor-enhanced-nav")));

        using var cachedFullLoad = await browser.GetAsync(path, "text/html");
        Assert.True(cachedFullLoad.Headers.Age.HasValue, "The second full page load comes from the output cache.");
        Assert.False(cachedFullLoad.Headers.Contains("ssr-framing"));
    }

    private Task<long> VerifiedAsync(string email) =>
        stack.CountAsync("SELECT count(*) FROM users WHERE lower(email) = lower(@email) AND email_verified_at IS NOT NULL", new { email });

    private static List<IElement> Cards(IDocument page) => [.. page.QuerySelectorAll("[data-testid=course-card]")];

    private static IEnumerable<string> Titles(IDocument page) => Cards(page).Select(card => card.QuerySelector("h2")!.TextContent);

    private async Task<IDocument> PageAsync(string path)
    {
        using var web = await PortalBrowser.OpenAsync(stack);
        return await web.ReadAsync(path);
    }
}
