using System.Text.RegularExpressions;
using Azora.EndToEnd.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Azora.EndToEnd.Journeys;

/// <summary>
/// An instructor makes a course in the portal's studio and a learner finds it. It makes an instructor (in the
/// database) and a course: not part of the production smoke run.
/// </summary>
public sealed partial class PortalStudioJourney(AzoraTarget target, ITestOutputHelper output) : BrowserJourney(target, output)
{
    [SkippableFact]
    public Task An_instructor_creates_fills_and_publishes_a_course_that_a_learner_then_finds_in_the_catalog() => BrowseAsync(async (page, api) =>
    {
        Skip.IfNot(AzoraTarget.CanGrantRoles, $"Needs a way to make instructors ({AzoraTarget.KubectlNamespaceVariable})");
        var instructor = await Accounts.SignInAsAsync(Target, api, "instructor");
        var word = $"knots{Guid.NewGuid():N}"[..16];
        var title = $"Sailing knots {word}";

        await VisitAsync(page, "/sign-in");
        await SignInAsync(page, instructor.Email);
        await page.GetByTestId("nav-studio").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/studio");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Studio", Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("no-studio-courses")).ToBeVisibleAsync();
        await CheckAccessibilityAsync(page);

        await page.GetByTestId("new-course").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/studio/courses/new");
        await CheckAccessibilityAsync(page);
        var details = page.GetByTestId("new-course-form");
        await details.GetByLabel("Title").FillAsync(title);
        await details.GetByLabel("Description").FillAsync("Six knots every sailor ties without looking.");
        await details.GetByLabel("Category").SelectOptionAsync(new SelectOptionValue { Label = "Programming" });
        await details.GetByLabel("Level").SelectOptionAsync(new SelectOptionValue { Label = "Beginner" });
        await details.GetByLabel("Amount").FillAsync("0");
        await details.GetByTestId("create-course-button").ClickAsync();

        // The new course opens in its editor as a draft.
        await page.WaitForURLAsync(EditorPath());
        await Assertions.Expect(page.GetByTestId("editor-title")).ToHaveTextAsync(title);
        await Assertions.Expect(page.GetByTestId("course-state")).ToHaveTextAsync("Draft");
        await CheckAccessibilityAsync(page);

        await AddLessonAsync(page, "The reef knot", "# Reef knot\n\nRight over left, left over right.", preview: true);
        await AddLessonAsync(page, "The bowline", "# Bowline\n\nThe rabbit comes out of the hole.", preview: false);
        await Assertions.Expect(page.GetByTestId("studio-lesson").GetByTestId("edit-lesson")).ToHaveTextAsync(["The reef knot", "The bowline"]);

        await page.GetByTestId("studio-lesson").Nth(1).GetByTestId("move-up").ClickAsync();
        await Assertions.Expect(page.GetByTestId("done")).ToHaveTextAsync("Lesson moved.");
        await Assertions.Expect(page.GetByTestId("studio-lesson").GetByTestId("edit-lesson")).ToHaveTextAsync(["The bowline", "The reef knot"]);
        await CheckAccessibilityAsync(page);

        // A lesson is edited on its own page.
        await page.GetByTestId("studio-lesson").First.GetByTestId("edit-lesson").ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("The bowline");
        await CheckAccessibilityAsync(page);
        var lesson = page.GetByTestId("edit-lesson-form");
        await lesson.GetByLabel("Title").FillAsync("The bowline, one-handed");
        await lesson.GetByLabel("Video link").FillAsync("https://videos.example.com/bowline.mp4");
        await lesson.GetByTestId("save-lesson-button").ClickAsync();
        await page.WaitForURLAsync(EditorPath());
        await Assertions.Expect(page.GetByTestId("done")).ToHaveTextAsync("Lesson saved.");
        await Assertions.Expect(page.GetByTestId("studio-lesson").GetByTestId("edit-lesson")).ToHaveTextAsync(["The bowline, one-handed", "The reef knot"]);

        // The editor works on a phone's screen too.
        await page.SetViewportSizeAsync(Phone.Width, Phone.Height);
        await AssertNoHorizontalScrollingAsync(page);
        await AssertWithinTheScreenAsync(page, page.GetByTestId("publish-button"));
        await page.GetByTestId("publish-button").ClickAsync();
        await Assertions.Expect(page.GetByTestId("course-state")).ToHaveTextAsync("Published");
        await Assertions.Expect(page.GetByTestId("unpublish-button")).ToBeVisibleAsync();
        await CheckAccessibilityAsync(page);
        await page.SetViewportSizeAsync(Desktop.Width, Desktop.Height);

        await page.GetByTestId("sign-out-button").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/");

        // A learner searches the catalog, finds the course and its lessons in the order the instructor chose.
        var learner = await Accounts.RegisterAsync(api, name: "Curious Learner");
        await VisitAsync(page, "/sign-in");
        await SignInAsync(page, learner.Email);
        await Assertions.Expect(page.GetByTestId("nav-studio")).ToHaveCountAsync(0);
        await VisitAsync(page, "/courses");
        await page.GetByTestId("catalog-search").GetByLabel("Search").FillAsync(word);
        await page.GetByRole(AriaRole.Button, new() { Name = "Show courses" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).Query.Contains(word, StringComparison.Ordinal));
        var card = page.GetByTestId("course-card");
        await Assertions.Expect(card).ToHaveCountAsync(1);
        await Assertions.Expect(card.GetByRole(AriaRole.Heading)).ToHaveTextAsync(title);
        await CheckAccessibilityAsync(page);

        await card.GetByRole(AriaRole.Link, new() { Name = title }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = title, Level = 1 })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("lesson-list").Locator("li > span:first-child")).ToHaveTextAsync(["The bowline, one-handed", "The reef knot"]);
        await CheckAccessibilityAsync(page);

        // The studio stays closed to the learner.
        await VisitAsync(page, "/studio", expectedStatus: 403);
    });

    private static async Task SignInAsync(IPage page, string email)
    {
        var form = page.GetByTestId("sign-in-form");
        await form.GetByLabel("Email", new() { Exact = true }).FillAsync(email);
        await form.GetByLabel("Password", new() { Exact = true }).FillAsync(Accounts.Password);
        await form.GetByTestId("sign-in-button").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/learning");
    }

    private static async Task AddLessonAsync(IPage page, string title, string content, bool preview)
    {
        var form = page.GetByTestId("add-lesson-form");
        await form.GetByLabel("Title").FillAsync(title);
        await form.GetByLabel("Duration in minutes").FillAsync("12");
        await form.GetByLabel("Content").FillAsync(content);
        await form.GetByLabel("Free preview").SetCheckedAsync(preview);
        await form.GetByTestId("add-lesson-button").ClickAsync();
        await Assertions.Expect(page.GetByTestId("done")).ToHaveTextAsync("Lesson added.");
        await CheckAccessibilityAsync(page);
    }

    [GeneratedRegex("/studio/courses/[0-9a-f-]{36}")]
    private static partial Regex EditorPath();
}
