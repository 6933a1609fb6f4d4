using System.Text.RegularExpressions;
using System.Web;
using Azora.EndToEnd.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Azora.EndToEnd.Journeys;

/// <summary>A visitor, signed out, in the portal's catalog: search and filters kept in the URL, a course's page, the not-found page.</summary>
public sealed partial class PortalCatalogJourney(AzoraTarget target, ITestOutputHelper output) : BrowserJourney(target, output)
{
    private const int PageSize = 12;

    /// <summary>
    /// What holds for any catalog, an empty one too (a new production has no courses), and reads only: part of the
    /// production smoke run.
    /// </summary>
    [SkippableFact]
    [Trait("Category", "Smoke")]
    public Task A_visitor_searches_the_catalog_whatever_it_holds_and_meets_the_not_found_page() => BrowseAsync(async page =>
    {
        await VisitAsync(page, "/courses");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Courses", Level = 1 })).ToBeVisibleAsync();
        if (Target.IsLocalProduction)
        {
            // A new production, never seeded.
            await Assertions.Expect(page.GetByTestId("catalog-empty")).ToBeVisibleAsync();
        }
        else
        {
            await Assertions.Expect(page.GetByTestId("catalog-count").Or(page.GetByTestId("catalog-empty"))).ToBeVisibleAsync();
        }

        // A word no course has, with every filter set: nothing found, and the search stays in the URL and in the form.
        var nonsense = $"zq{Guid.NewGuid():N}";
        await page.GetByLabel("Search", new() { Exact = true }).FillAsync(nonsense);
        await page.GetByLabel("Level").SelectOptionAsync("advanced");
        await page.GetByLabel("Price").SelectOptionAsync("false");
        await page.GetByLabel("Sort by").SelectOptionAsync("-price");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show courses" }).ClickAsync();
        await WaitForQueryAsync(page, new() { ["q"] = nonsense, ["category"] = "", ["level"] = "advanced", ["free"] = "false", ["sort"] = "-price" });
        await Assertions.Expect(page.GetByTestId("catalog-empty")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("course-card")).ToHaveCountAsync(0);
        await AssertFormShowsAsync(page, nonsense, "advanced", "false", "-price");
        await CheckAccessibilityAsync(page);

        // The way out of an empty search is every course, with the form cleared.
        await page.GetByTestId("catalog-empty").GetByRole(AriaRole.Link, new() { Name = "See every course" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).PathAndQuery == "/courses");
        await AssertFormShowsAsync(page, "", "", "", "newest");
        await CheckAccessibilityAsync(page);

        // A course that does not exist, and a page that does not: the not-found page, with a 404.
        foreach (var missing in new[] { $"/courses/no-such-course-{Guid.NewGuid():N}", $"/no-such-page-{Guid.NewGuid():N}" })
        {
            await VisitAsync(page, missing, expectedStatus: 404);
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Page not found", Level = 1 })).ToBeVisibleAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Browse the courses" })).ToHaveAttributeAsync("href", "/courses");
        }
    });

    /// <summary>
    /// Needs courses (the local stack's sample catalog, staging's): not part of the production smoke run. What a
    /// course is (its level, price, lessons) comes from the API, which the page must agree with.
    /// </summary>
    [SkippableFact]
    public Task A_visitor_filters_the_catalog_opens_a_course_card_and_comes_back_to_the_same_search() => BrowseAsync(async (page, api) =>
    {
        await VisitAsync(page, "/courses?sort=title");
        var total = await CountAsync(page);
        Assert.True(total > 0, "The catalog has no course; this journey needs the sample catalog or staging's.");
        var cards = page.GetByTestId("course-list").GetByTestId("course-card");
        await Assertions.Expect(cards).ToHaveCountAsync(Math.Min(PageSize, total));

        // Paging keeps the sort, and the second page shows other courses.
        var firstPageTitles = await cards.GetByRole(AriaRole.Heading).AllInnerTextsAsync();
        if (total > PageSize)
        {
            await page.GetByTestId("next-page").ClickAsync();
            await WaitForQueryAsync(page, new() { ["sort"] = "title", ["page"] = "2" });
            await Assertions.Expect(page.GetByTestId("previous-page")).ToBeVisibleAsync();
            await Assertions.Expect(cards).ToHaveCountAsync(Math.Min(PageSize, total - PageSize));
            var secondPageTitles = await cards.GetByRole(AriaRole.Heading).AllInnerTextsAsync();
            Assert.Empty(secondPageTitles.Intersect(firstPageTitles));
            await CheckAccessibilityAsync(page);
            await page.GetByTestId("previous-page").ClickAsync();
            await page.WaitForURLAsync(url => !url.Contains("page=", StringComparison.Ordinal));
            await Assertions.Expect(cards.First.GetByRole(AriaRole.Heading)).ToHaveTextAsync(firstPageTitles[0]);
        }
        else
        {
            await Assertions.Expect(page.GetByTestId("next-page")).ToHaveCountAsync(0);
        }

        // The first course, as the API has it.
        var link = cards.First.GetByRole(AriaRole.Link).First;
        var title = (await link.InnerTextAsync()).Trim();
        var slug = (await link.GetAttributeAsync("href"))!.Split('/').Last();
        var detail = (await api.GetAsync($"/api/education/courses/{slug}")).Expect(200).Json;
        var course = detail.GetProperty("course");
        Assert.Equal(title, course.GetProperty("title").GetString());
        var level = course.GetProperty("level").GetString()!;
        var category = course.GetProperty("category").GetProperty("slug").GetString()!;
        var free = course.GetProperty("isFree").GetBoolean();
        var lessons = detail.GetProperty("lessons").GetArrayLength();

        // Search for it by a word of its title, its category, level and price: it is found, and only what fits is shown.
        var word = Words().Matches(title).Select(match => match.Value).MaxBy(part => part.Length)!;
        await page.GetByLabel("Search", new() { Exact = true }).FillAsync(word);
        await page.GetByLabel("Category").SelectOptionAsync(category);
        await page.GetByLabel("Level").SelectOptionAsync(level);
        await page.GetByLabel("Price").SelectOptionAsync(free ? "true" : "false");
        await page.GetByLabel("Sort by").SelectOptionAsync("title");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show courses" }).ClickAsync();
        var filter = new Dictionary<string, string> { ["q"] = word, ["category"] = category, ["level"] = level, ["free"] = free ? "true" : "false", ["sort"] = "title" };
        await WaitForQueryAsync(page, filter);
        var searchUrl = page.Url;
        await AssertFormShowsAsync(page, word, level, free ? "true" : "false", "title");
        var found = await CountAsync(page);
        Assert.InRange(found, 1, total);
        await Assertions.Expect(cards).ToHaveCountAsync(Math.Min(PageSize, found));
        var prices = await page.GetByTestId("course-list").GetByTestId("course-price").AllInnerTextsAsync();
        Assert.All(prices, price => Assert.Equal(free, price.Trim() == "Free"));
        var card = cards.Filter(new() { Has = page.GetByRole(AriaRole.Link, new() { Name = title, Exact = true }) });
        await Assertions.Expect(card).ToHaveCountAsync(1);
        await CheckAccessibilityAsync(page);

        // Its card leads to its page: title, price, enrollment count and the outline, as the API has them.
        await card.GetByRole(AriaRole.Link, new() { Name = title, Exact = true }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == $"/courses/{slug}");
        var coursePage = page.GetByTestId("course-page");
        await Assertions.Expect(coursePage.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(title);
        await Assertions.Expect(coursePage.GetByTestId("course-price")).ToHaveTextAsync(free ? new Regex("^Free$") : new Regex(@"^\d[\d,.]* [A-Z]{3}$"));
        await Assertions.Expect(coursePage.GetByTestId("enrollment-count"))
            .ToHaveTextAsync($"{course.GetProperty("enrollmentCount").GetInt32()} enrolled");
        await Assertions.Expect(coursePage.GetByTestId("lesson-list").GetByRole(AriaRole.Listitem)).ToHaveCountAsync(lessons);
        await Assertions.Expect(page).ToHaveTitleAsync($"{title} · Azora");
        await CheckAccessibilityAsync(page);

        // Back in the browser: the same search, in the URL and in the form.
        await page.GoBackAsync();
        await page.WaitForURLAsync(searchUrl);
        AssertQuery(page, filter);
        await Assertions.Expect(card).ToHaveCountAsync(1);
        await AssertFormShowsAsync(page, word, level, free ? "true" : "false", "title");
    });

    /// <summary>On a phone-width screen the catalog (and a course, when there is one) fits without scrolling sideways; reads only.</summary>
    [SkippableFact]
    [Trait("Category", "Smoke")]
    public Task A_visitor_on_a_phone_searches_the_catalog_without_scrolling_sideways() => BrowseAsync(async page =>
    {
        await VisitAsync(page, "/courses");
        await AssertNoHorizontalScrollingAsync(page);
        foreach (var control in (string[])["Search", "Category", "Level", "Price", "Sort by"])
        {
            await AssertWithinTheScreenAsync(page, page.GetByLabel(control, new() { Exact = true }));
        }

        var showCourses = page.GetByRole(AriaRole.Button, new() { Name = "Show courses" });
        await AssertWithinTheScreenAsync(page, showCourses);

        var cards = page.GetByTestId("course-card");
        var count = await cards.CountAsync();
        if (AzoraTarget.IsLocal && !Target.IsLocalProduction)
        {
            Assert.True(count > 0, "The local stack's sample catalog shows no course.");
        }

        if (count > 0)
        {
            await AssertWithinTheScreenAsync(page, cards.First);
            await cards.First.GetByRole(AriaRole.Link).First.ClickAsync();
            await page.WaitForURLAsync(url => new Uri(url).AbsolutePath.StartsWith("/courses/", StringComparison.Ordinal));
            await Assertions.Expect(page.GetByTestId("lesson-list")).ToBeAttachedAsync();
            await CheckAccessibilityAsync(page);
            await AssertNoHorizontalScrollingAsync(page);
            await page.GoBackAsync();
        }

        await page.GetByLabel("Search", new() { Exact = true }).FillAsync($"zq{Guid.NewGuid():N}");
        await showCourses.ClickAsync();
        await Assertions.Expect(page.GetByTestId("catalog-empty")).ToBeVisibleAsync();
        await CheckAccessibilityAsync(page);
        await AssertNoHorizontalScrollingAsync(page);
    }, viewport: Phone);

    private static async Task<int> CountAsync(IPage page)
    {
        var count = page.GetByTestId("catalog-count");
        await Assertions.Expect(count).ToHaveTextAsync(new Regex(@"^\d+ courses?$"));
        return int.Parse(Number().Match(await count.InnerTextAsync()).Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Waits for the URL to carry exactly <paramref name="expected"/> (a navigation passes through other URLs), then asserts it, showing the difference.</summary>
    private static async Task WaitForQueryAsync(IPage page, Dictionary<string, string> expected)
    {
        try
        {
            await page.WaitForURLAsync(url => QueryOf(url).OrderBy(pair => pair.Key).SequenceEqual(expected.OrderBy(pair => pair.Key)));
        }
        catch (TimeoutException)
        {
        }

        AssertQuery(page, expected);
    }

    private static void AssertQuery(IPage page, Dictionary<string, string> expected) =>
        Assert.Equal(expected.OrderBy(pair => pair.Key), QueryOf(page.Url).OrderBy(pair => pair.Key));

    private static Dictionary<string, string> QueryOf(string url)
    {
        var query = HttpUtility.ParseQueryString(new Uri(url).Query);
        return query.AllKeys.Where(key => key is not null).ToDictionary(key => key!, key => query[key]!);
    }

    private static async Task AssertFormShowsAsync(IPage page, string search, string level, string free, string sort)
    {
        await Assertions.Expect(page.GetByLabel("Search", new() { Exact = true })).ToHaveValueAsync(search);
        await Assertions.Expect(page.GetByLabel("Level")).ToHaveValueAsync(level);
        await Assertions.Expect(page.GetByLabel("Price")).ToHaveValueAsync(free);
        await Assertions.Expect(page.GetByLabel("Sort by")).ToHaveValueAsync(sort);
    }

    [GeneratedRegex(@"\p{L}+")]
    private static partial Regex Words();

    [GeneratedRegex(@"\d+")]
    private static partial Regex Number();
}
