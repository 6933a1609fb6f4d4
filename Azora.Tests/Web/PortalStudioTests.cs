using System.Net;
using AngleSharp.Dom;
using Azora.Tests.Api;
using Azora.Tests.Stack;

namespace Azora.Tests.Web;

/// <summary>
/// The instructor studio as a browser without JavaScript uses it: a course made, filled, reordered and published through
/// the portal's forms, and found by anyone in the catalog; the API's refusals next to their fields; the studio closed to
/// learners.
/// </summary>
[Collection(StackCollection.Name)]
public class PortalStudioTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task An_instructor_creates_a_course_adds_and_reorders_lessons_and_publishes_it_into_the_catalog()
    {
        using var api = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, api, "instructor");
        using var browser = await PortalBrowser.OpenAsync(stack);
        var landed = await browser.SignInAsync(instructor.Email);
        var studio = await browser.ReadAsync(landed.QuerySelector("[data-testid=nav-studio]")!.GetAttribute("href")!);
        Assert.Empty(studio.QuerySelectorAll("[data-testid=studio-course]"));

        var word = $"knots{Guid.NewGuid():N}"[..20];
        var title = $"Sailing {word} knots";
        var editor = await browser.SubmitAsync(await browser.ReadAsync(studio.QuerySelector("[data-testid=new-course]")!.GetAttribute("href")!), new Dictionary<string, string>
        {
            ["Form.Title"] = title,
            ["Form.Description"] = "Six knots every sailor ties without looking.",
            ["Form.Category"] = "programming",
            ["Form.Level"] = "beginner",
            ["Form.Price"] = "19.50",
            ["Form.Currency"] = "eur",
        });
        Assert.Matches("^/studio/courses/[0-9a-f-]{36}$", browser.Location!.AbsolutePath);
        Assert.Equal(title, editor.QuerySelector("[data-testid=editor-title]")!.TextContent);
        Assert.Equal("Draft", editor.QuerySelector("[data-testid=course-state]")!.TextContent);
        Assert.Equal("19.50 EUR", editor.QuerySelector("input#price")!.GetAttribute("value") + " " + editor.QuerySelector("input#currency")!.GetAttribute("value"));
        Assert.NotNull(editor.QuerySelector("[data-testid=no-lessons]"));

        editor = await AddLessonAsync(browser, editor, "The reef knot", "# Reef knot\n\nRight over left, left over right.", preview: true);
        editor = await AddLessonAsync(browser, editor, "The bowline", "# Bowline\n\nThe rabbit comes out of the hole.", preview: false);
        Assert.Equal(["The reef knot", "The bowline"], LessonTitles(editor));

        // The second lesson moves up: the form posts the pressed button's value, as a browser does.
        var moveUp = editor.QuerySelectorAll("[data-testid=studio-lesson]")[1].QuerySelector("[data-testid=move-up]")!;
        editor = await browser.SubmitAsync(editor, new Dictionary<string, string> { [moveUp.GetAttribute("name")!] = moveUp.GetAttribute("value")! }, "form[data-testid=lesson-actions-form]");
        Assert.Equal(["The bowline", "The reef knot"], LessonTitles(editor));
        Assert.Null(editor.QuerySelectorAll("[data-testid=studio-lesson]")[0].QuerySelector("[data-testid=move-up]"));

        // A lesson is edited on its own page; a video link the API refuses is told next to the field.
        var lessonPage = await browser.ReadAsync(editor.QuerySelector("[data-testid=edit-lesson]")!.GetAttribute("href")!);
        Assert.Contains("The rabbit comes out of the hole.", lessonPage.QuerySelector("textarea#lesson-content")!.TextContent);
        var refused = await browser.SubmitAsync(lessonPage, new Dictionary<string, string>
        {
            ["Lesson.Title"] = "The bowline, tied one-handed",
            ["Lesson.Minutes"] = "7.5",
            ["Lesson.Content"] = "# Bowline\n\nOne hand is enough.",
            ["Lesson.VideoUrl"] = "http://videos.example.com/bowline.mp4",
        });
        Assert.Contains("https", refused.QuerySelector("[data-testid=videoUrl-error]")!.TextContent);
        Assert.Equal("The bowline, tied one-handed", refused.QuerySelector("input#lesson-title")!.GetAttribute("value"));
        editor = await browser.SubmitAsync(refused, new Dictionary<string, string>
        {
            ["Lesson.Title"] = "The bowline, tied one-handed",
            ["Lesson.Minutes"] = "7.5",
            ["Lesson.Content"] = "# Bowline\n\nOne hand is enough.",
            ["Lesson.VideoUrl"] = "https://videos.example.com/bowline.mp4",
        });
        Assert.Equal(["The bowline, tied one-handed", "The reef knot"], LessonTitles(editor));

        editor = await browser.SubmitAsync(editor, formSelector: "form[data-testid=publication-form]");
        Assert.Equal("Published", editor.QuerySelector("[data-testid=course-state]")!.TextContent);
        Assert.NotNull(editor.QuerySelector("[data-testid=unpublish-button]"));
        Assert.Null(editor.QuerySelector("[data-testid=publish-button]"));

        var row = Assert.Single((await browser.ReadAsync("/studio")).QuerySelectorAll("[data-testid=studio-course]"));
        Assert.Equal("Published", row.QuerySelector("[data-testid=course-state]")!.TextContent);
        Assert.Equal("0 enrolled", row.QuerySelector("[data-testid=enrollment-count]")!.TextContent);

        // Anyone, signed in or not, now finds it in the catalog with its lessons in the new order.
        using var visitor = await PortalBrowser.OpenAsync(stack);
        var catalog = await visitor.ReadAsync($"/courses?q={word}");
        var card = Assert.Single(catalog.QuerySelectorAll("[data-testid=course-card]"));
        Assert.Equal(title, card.QuerySelector("h2")!.TextContent);
        Assert.Equal("19.50 EUR", card.QuerySelector("[data-testid=course-price]")!.TextContent);
        var coursePage = await visitor.ReadAsync(card.QuerySelector("h2 a")!.GetAttribute("href")!);
        Assert.Equal(["The bowline, tied one-handed", "The reef knot"],
            coursePage.QuerySelectorAll("[data-testid=lesson-list] li > span:first-child").Select(lesson => lesson.TextContent));
    }

    [Fact]
    public async Task A_title_the_api_refuses_is_told_next_to_the_title_field_and_creates_nothing()
    {
        using var api = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, api, "instructor");
        using var browser = await PortalBrowser.OpenAsync(stack);
        await browser.SignInAsync(instructor.Email);

        var refused = await browser.SubmitAsync(await browser.ReadAsync("/studio/courses/new"), new Dictionary<string, string>
        {
            ["Form.Title"] = new string('T', 201),
            ["Form.Description"] = "Kept when refused.",
            ["Form.Category"] = "design",
            ["Form.Level"] = "advanced",
            ["Form.Price"] = "0",
            ["Form.Currency"] = "USD",
        });

        Assert.Equal("/studio/courses/new", browser.Location!.AbsolutePath);
        var error = refused.QuerySelector("[data-testid=title-error]")!;
        Assert.Contains("1 to 200 characters", error.TextContent);
        Assert.Same(refused.QuerySelector("input#title")!.ParentElement, error.ParentElement);
        Assert.Equal("Kept when refused.", refused.QuerySelector("textarea#description")!.TextContent);
        Assert.Equal("design", refused.QuerySelector("select#category option[selected]")!.GetAttribute("value"));
        Assert.Null(refused.QuerySelector("[data-testid=form-error]"));

        // A price that is not an amount of the currency is told next to the price, before asking the API.
        var badPrice = await browser.SubmitAsync(refused, new Dictionary<string, string>
        {
            ["Form.Title"] = "A fine title",
            ["Form.Category"] = "design",
            ["Form.Level"] = "advanced",
            ["Form.Price"] = "12.345",
            ["Form.Currency"] = "USD",
        });
        Assert.Contains("2 decimals", badPrice.QuerySelector("[data-testid='price.amount-error']")!.TextContent);

        Assert.Equal(0, await stack.CountAsync("SELECT count(*) FROM courses WHERE instructor_id = @id", new { id = instructor.UserId }));
    }

    [Fact]
    public async Task A_learner_is_refused_the_studio_and_an_instructor_the_administration()
    {
        using var api = stack.CreateApiClient();
        var learner = await TestAccounts.RegisterAsync(api);
        using var browser = await PortalBrowser.OpenAsync(stack);
        var landed = await browser.SignInAsync(learner.Email);
        Assert.Null(landed.QuerySelector("[data-testid=nav-studio]"));

        foreach (var path in new[] { "/studio", "/studio/courses/new", $"/studio/courses/{Guid.NewGuid()}" })
        {
            using var refused = await browser.GetAsync(path);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("/access-denied", refused.RequestMessage!.RequestUri!.AbsolutePath);
        }

        var instructor = await TestRoles.SignInAsAsync(stack, api, "instructor");
        using var staff = await PortalBrowser.OpenAsync(stack);
        var staffHome = await staff.SignInAsync(instructor.Email);
        Assert.Null(staffHome.QuerySelector("[data-testid=nav-admin]"));
        using var admin = await staff.GetAsync("/admin/users");
        Assert.Equal(HttpStatusCode.Forbidden, admin.StatusCode);
    }

    [Fact]
    public async Task Another_instructors_course_is_not_found_in_the_studio()
    {
        using var api = stack.CreateApiClient();
        var owner = await TestRoles.SignInAsAsync(stack, api, "instructor");
        var draft = await Courses.CreateAsync(api, owner, publish: false, lessons: 1);
        var other = await TestRoles.SignInAsAsync(stack, api, "instructor");
        using var browser = await PortalBrowser.OpenAsync(stack);
        await browser.SignInAsync(other.Email);

        using var missing = await browser.GetAsync($"/studio/courses/{draft.Id}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Publishing_without_lessons_is_refused_in_the_apis_words_details_save_and_a_deleted_lesson_leaves()
    {
        using var api = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, api, "instructor");
        var course = await Courses.CreateAsync(api, instructor, publish: false, lessons: 0, title: $"Empty {Guid.NewGuid():N}");
        using var browser = await PortalBrowser.OpenAsync(stack);
        await browser.SignInAsync(instructor.Email);
        var editor = await browser.ReadAsync($"/studio/courses/{course.Id}");

        var refused = await browser.SubmitAsync(editor, formSelector: "form[data-testid=publication-form]");
        using (var byApi = await api.PostJsonAsync($"/api/education/courses/{course.Id}/publish", new { }, instructor.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Conflict, byApi.StatusCode);
            Assert.Equal((await byApi.JsonAsync()).GetProperty("detail").GetString(), refused.QuerySelector("[data-testid=publication-error]")!.TextContent);
        }

        Assert.Equal("Draft", refused.QuerySelector("[data-testid=course-state]")!.TextContent);

        var saved = await browser.SubmitAsync(refused, new Dictionary<string, string>
        {
            ["Form.Title"] = "Knots, renamed",
            ["Form.Description"] = "Now for sale.",
            ["Form.Category"] = "music",
            ["Form.Level"] = "advanced",
            ["Form.Price"] = "4900",
            ["Form.Currency"] = "JPY",
        }, "form[data-testid=course-details-form]");
        Assert.Equal("Details saved.", saved.QuerySelector("[data-testid=done]")!.TextContent);
        var detail = (await Courses.GetAsync(api, course.Id.ToString(), instructor.AccessToken)).GetProperty("course");
        Assert.Equal("Knots, renamed", detail.GetProperty("title").GetString());
        Assert.Equal("music", detail.GetProperty("category").GetProperty("slug").GetString());
        Assert.Equal("advanced", detail.GetProperty("level").GetString());
        Assert.Equal(4900, detail.GetProperty("price").GetProperty("amount").GetInt64());
        Assert.Equal("JPY", detail.GetProperty("price").GetProperty("currency").GetString());

        saved = await AddLessonAsync(browser, saved, "Kept", "Stays.", preview: false);
        saved = await AddLessonAsync(browser, saved, "Removed", "Goes.", preview: false);
        var delete = saved.QuerySelectorAll("[data-testid=studio-lesson]")[1].QuerySelector("[data-testid=delete-lesson]")!;
        var afterDelete = await browser.SubmitAsync(saved, new Dictionary<string, string> { [delete.GetAttribute("name")!] = delete.GetAttribute("value")! }, "form[data-testid=lesson-actions-form]");
        Assert.Equal("Lesson deleted.", afterDelete.QuerySelector("[data-testid=done]")!.TextContent);
        Assert.Equal(["Kept"], LessonTitles(afterDelete));
        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM lessons WHERE course_id = @id", new { id = course.Id }));
    }

    private static async Task<IDocument> AddLessonAsync(PortalBrowser browser, IDocument editor, string title, string content, bool preview)
    {
        var values = new Dictionary<string, string>
        {
            ["Lesson.Title"] = title,
            ["Lesson.Minutes"] = "12",
            ["Lesson.Content"] = content,
            ["Lesson.VideoUrl"] = "",
        };
        if (preview)
        {
            values["Lesson.Preview"] = "true";
        }

        var page = await browser.SubmitAsync(editor, values, "form[data-testid=add-lesson-form]");
        Assert.Equal("Lesson added.", page.QuerySelector("[data-testid=done]")!.TextContent);
        return page;
    }

    private static List<string> LessonTitles(IDocument editor) =>
        [.. editor.QuerySelectorAll("[data-testid=studio-lesson] [data-testid=edit-lesson]").Select(link => link.TextContent)];
}
