using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Azora.Tests.Api;
using Azora.Tests.Stack;

namespace Azora.Tests.Web;

/// <summary>
/// Learning in the portal as a browser without JavaScript does it: enrolling, reading lessons (their Markdown made safe),
/// completing them, the certificate and its public verification, and the refusal of a lesson the reader does not own.
/// </summary>
[Collection(StackCollection.Name)]
public class PortalLearningTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task A_learner_enrolls_in_a_free_course_reads_and_completes_each_lesson_and_gets_a_certificate_anyone_can_verify()
    {
        using var api = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, api, "instructor");
        var title = $"Learning {Guid.NewGuid():N}";
        var course = await Courses.CreateAsync(api, instructor, title: title, lessons: 2);
        var name = $"Learner {Guid.NewGuid():N}"[..20];
        var learner = await TestAccounts.RegisterAsync(api, name: name);

        // Anonymous, the enroll button sends to sign-in and back to the course.
        using var browser = await PortalBrowser.OpenAsync(stack);
        var anonymous = await browser.ReadAsync($"/courses/{course.Slug}");
        Assert.Equal($"/sign-in?returnUrl=%2Fcourses%2F{course.Slug}", anonymous.QuerySelector("a[data-testid=enroll-button]")!.GetAttribute("href"));
        Assert.Equal("by Test instructor", anonymous.QuerySelector("[data-testid=course-instructor]")!.TextContent);
        Assert.Equal("Made by a test.", anonymous.QuerySelector("[data-testid=course-description]")!.TextContent);

        var coursePage = await browser.SignInAsync(learner.Email, returnUrl: $"/courses/{course.Slug}");
        Assert.Equal($"/courses/{course.Slug}", browser.Location!.AbsolutePath);
        Assert.NotNull(coursePage.QuerySelector("form button[data-testid=enroll-button]"));

        var first = await browser.SubmitAsync(coursePage, formSelector: "[data-testid=course-actions] form");
        Assert.Equal($"/learn/{course.Slug}/{course.LessonIds[0]}", browser.Location!.AbsolutePath);
        Assert.Equal("Lesson 1", first.QuerySelector("[data-testid=lesson-title]")!.TextContent);
        Assert.Contains("0 of 2 lessons done", first.QuerySelector("[data-testid=lesson-progress]")!.TextContent);
        Assert.Equal(1, await stack.CountAsync(
            "SELECT count(*) FROM enrollments WHERE course_id = @Id AND user_id = @UserId", new { course.Id, learner.UserId }));

        // Enrolled, the course page offers to continue instead, and every lesson is a link.
        var enrolled = await browser.ReadAsync($"/courses/{course.Slug}");
        Assert.Null(enrolled.QuerySelector("[data-testid=enroll-button]"));
        Assert.Equal($"/learn/{course.Slug}/{course.LessonIds[0]}", enrolled.QuerySelector("[data-testid=continue-button]")!.GetAttribute("href"));
        Assert.Equal(2, enrolled.QuerySelectorAll("[data-testid=lesson-list] a[data-testid=lesson-link]").Length);

        var second = await browser.SubmitAsync(first, formSelector: "form.complete-form");
        Assert.Equal($"/learn/{course.Slug}/{course.LessonIds[1]}", browser.Location!.AbsolutePath);
        Assert.Equal("Lesson 2", second.QuerySelector("[data-testid=lesson-title]")!.TextContent);
        Assert.Contains("1 of 2 lessons done", second.QuerySelector("[data-testid=lesson-progress]")!.TextContent);
        Assert.Equal($"/learn/{course.Slug}/{course.LessonIds[0]}", second.QuerySelector("[data-testid=previous-lesson]")!.GetAttribute("href"));
        Assert.Equal($"/learn/{course.Slug}/{course.LessonIds[1]}",
            (await browser.ReadAsync($"/courses/{course.Slug}")).QuerySelector("[data-testid=continue-button]")!.GetAttribute("href"));

        var certificate = await browser.SubmitAsync(second, formSelector: "form.complete-form");
        Assert.StartsWith("/learning/certificates/", browser.Location!.AbsolutePath);
        Assert.Equal(name, certificate.QuerySelector("[data-testid=certificate-name]")!.TextContent);
        Assert.Equal(title, certificate.QuerySelector("[data-testid=certificate-course]")!.TextContent);
        var issued = await stack.CountAsync(
            "SELECT count(*) FROM certificates WHERE course_id = @Id AND user_id = @UserId", new { course.Id, learner.UserId });
        Assert.Equal(1, issued);

        var learning = await browser.ReadAsync("/learning");
        var enrollment = Assert.Single(learning.QuerySelectorAll("[data-testid=enrollment]"));
        Assert.Contains("2 of 2 lessons done", enrollment.QuerySelector("[data-testid=progress]")!.TextContent);
        var certificatePath = enrollment.QuerySelector("[data-testid=certificate-link]")!.GetAttribute("href")!;
        Assert.StartsWith("/learning/certificates/", certificatePath);

        // The verification link works for anyone, signed in or not.
        var verifyPath = certificate.QuerySelector("[data-testid=verify-link]")!.GetAttribute("href")!;
        Assert.Equal($"/certificates/{certificatePath["/learning/certificates/".Length..]}", verifyPath);
        using var stranger = await PortalBrowser.OpenAsync(stack);
        var verified = await stranger.ReadAsync(verifyPath);
        Assert.NotNull(verified.QuerySelector("[data-testid=certificate-verified]"));
        Assert.Equal(name, verified.QuerySelector("[data-testid=certificate-name]")!.TextContent);
        Assert.Equal(title, verified.QuerySelector("[data-testid=certificate-course]")!.TextContent);
        var completedOn = verified.QuerySelector("[data-testid=certificate-date]")!;
        Assert.Equal(DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), completedOn.GetAttribute("datetime"));

        // Someone else's certificate is not among a learner's own.
        using var other = await PortalBrowser.OpenAsync(stack);
        await other.SignInAsync((await TestAccounts.RegisterAsync(api)).Email, returnUrl: "/learning");
        using var notMine = await other.GetAsync(certificatePath);
        Assert.Equal(HttpStatusCode.NotFound, notMine.StatusCode);
    }

    [Fact]
    public async Task An_unknown_or_mangled_certificate_link_is_a_404_page_saying_there_is_no_such_certificate()
    {
        using var browser = await PortalBrowser.OpenAsync(stack);
        foreach (var path in new[] { $"/certificates/{Guid.NewGuid()}", "/certificates/not-a-certificate" })
        {
            var (status, page) = await ReadAnyAsync(browser, path);
            Assert.Equal(HttpStatusCode.NotFound, status);
            Assert.Equal("No such certificate", page.QuerySelector("h1")!.TextContent);
            Assert.NotNull(page.QuerySelector("[data-testid=certificate-missing]"));
        }
    }

    [Fact]
    public async Task Lesson_markdown_is_rendered_without_script_event_handlers_javascript_links_or_iframes_but_keeps_its_text_and_formatting()
    {
        const string Markdown = """
            # Joins

            A **join** combines *rows*; see [the manual](https://www.postgresql.org/docs/).

            <script>alert('stolen')</script>

            <img src="x" onerror="alert('img')">

            <iframe src="https://evil.example/"></iframe>

            [Click me](javascript:alert('link')) and [me too](JaVaScRiPt:alert('case'))

            ![chart](javascript:alert('image'))

            ```sql
            SELECT * FROM lessons;
            ```
            """;
        using var api = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, api, "instructor");
        var course = await CourseWithLessonsAsync(api, instructor, 0,
            new { content = Markdown, preview = true, videoUrl = "https://videos.example.com/joins.mp4" },
            new { content = "Second", preview = true, videoUrl = "https://www.youtube.com/watch?v=abc123" });

        using var browser = await PortalBrowser.OpenAsync(stack);
        var page = await browser.ReadAsync($"/learn/{course.Slug}/{course.LessonIds[0]}");
        var content = page.QuerySelector("[data-testid=lesson-content]")!;

        Assert.Empty(page.QuerySelectorAll("main script, main iframe, main object, main embed"));
        Assert.DoesNotContain(content.QuerySelectorAll("*").SelectMany(element => element.Attributes), attribute => attribute.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(page.QuerySelectorAll("main [href], main [src]"), element =>
            (element.GetAttribute("href") ?? element.GetAttribute("src"))!.TrimStart().StartsWith("javascript", StringComparison.OrdinalIgnoreCase));

        // The author's words stay, raw HTML as text; Markdown's formatting stays, the headings below the page's title.
        Assert.Contains("<script>alert('stolen')</script>", content.TextContent);
        Assert.Contains("Click me", content.TextContent);
        Assert.Equal("Joins", content.QuerySelector("h2")!.TextContent);
        Assert.Equal("join", content.QuerySelector("strong")!.TextContent);
        Assert.Equal("rows", content.QuerySelector("em")!.TextContent);
        Assert.Equal("SELECT * FROM lessons;\n", content.QuerySelector("pre code")!.TextContent);
        var manual = content.QuerySelector("a[href='https://www.postgresql.org/docs/']")!;
        Assert.Contains("noopener", manual.GetAttribute("rel"));
        Assert.Single(page.QuerySelectorAll("main h1"));

        // A video file plays in the page; any other video URL is a plain link, never a frame.
        Assert.Equal("https://videos.example.com/joins.mp4", page.QuerySelector("video[data-testid=lesson-video]")!.GetAttribute("src"));
        var second = await browser.ReadAsync($"/learn/{course.Slug}/{course.LessonIds[1]}");
        Assert.Null(second.QuerySelector("video"));
        Assert.Empty(second.QuerySelectorAll("iframe"));
        Assert.Equal("https://www.youtube.com/watch?v=abc123", second.QuerySelector("a[data-testid=lesson-video-link]")!.GetAttribute("href"));
    }

    [Fact]
    public async Task A_preview_lesson_is_readable_anonymously_with_the_course_action_beside_it()
    {
        using var api = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, api, "instructor");
        var course = await CourseWithLessonsAsync(api, instructor, 4900, new { content = "Welcome to **the preview**.", preview = true }, new { content = "Paid words" });

        using var browser = await PortalBrowser.OpenAsync(stack);
        var coursePage = await browser.ReadAsync($"/courses/{course.Slug}");
        var link = Assert.Single(coursePage.QuerySelectorAll("[data-testid=lesson-list] a[data-testid=lesson-link]"));
        Assert.Equal($"/learn/{course.Slug}/{course.LessonIds[0]}", link.GetAttribute("href"));
        Assert.Equal($"/sign-in?returnUrl=%2Fcourses%2F{course.Slug}", coursePage.QuerySelector("a[data-testid=buy-button]")!.GetAttribute("href"));
        Assert.Equal("Buy for 49.00 USD", coursePage.QuerySelector("[data-testid=buy-button]")!.TextContent);

        var preview = await browser.ReadAsync(link.GetAttribute("href")!);
        Assert.Equal("the preview", preview.QuerySelector("[data-testid=lesson-content] strong")!.TextContent);
        Assert.Null(preview.QuerySelector("[data-testid=complete-button]"));
        Assert.Null(preview.QuerySelector("[data-testid=lesson-locked]"));
        Assert.NotNull(preview.QuerySelector("[data-testid=buy-button]"));
        Assert.Equal($"/learn/{course.Slug}/{course.LessonIds[1]}", preview.QuerySelector("[data-testid=next-lesson]")!.GetAttribute("href"));
    }

    [Fact]
    public async Task A_lesson_of_a_course_the_reader_does_not_own_is_refused_with_the_apis_words_and_the_way_to_get_it()
    {
        using var api = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, api, "instructor");
        var course = await CourseWithLessonsAsync(api, instructor, 4900, new { content = "Preview words", preview = true }, new { content = "Paid words only" });
        var lessonPath = $"/learn/{course.Slug}/{course.LessonIds[1]}";

        using var anonymous = await PortalBrowser.OpenAsync(stack);
        var (anonymousStatus, anonymousPage) = await ReadAnyAsync(anonymous, lessonPath);
        Assert.Equal(HttpStatusCode.Forbidden, anonymousStatus);
        Assert.Contains("Sign in to read this lesson", anonymousPage.QuerySelector("[data-testid=lesson-locked]")!.TextContent);
        Assert.Equal($"/sign-in?returnUrl={Uri.EscapeDataString(lessonPath)}", anonymousPage.QuerySelector("a[data-testid=buy-button]")!.GetAttribute("href"));
        Assert.DoesNotContain("Paid words only", anonymousPage.DocumentElement.OuterHtml);

        var learner = await TestAccounts.RegisterAsync(api);
        using var browser = await PortalBrowser.OpenAsync(stack);
        await browser.SignInAsync(learner.Email, returnUrl: "/learning");
        var (status, page) = await ReadAnyAsync(browser, lessonPath);
        Assert.Equal(HttpStatusCode.Forbidden, status);
        Assert.Equal("Lesson 2", page.QuerySelector("[data-testid=lesson-title]")!.TextContent);
        Assert.Contains("Enroll in the course to read this lesson.", page.QuerySelector("[data-testid=lesson-locked]")!.TextContent);
        Assert.Equal($"/checkout/{course.Slug}", page.QuerySelector("a[data-testid=buy-button]")!.GetAttribute("href"));
        Assert.Null(page.QuerySelector("[data-testid=complete-button]"));
        Assert.DoesNotContain("Paid words only", page.DocumentElement.OuterHtml);

        // A free course's locked lesson offers enrolling on the spot, which opens the course at its first lesson.
        var free = await CourseWithLessonsAsync(api, instructor, 0, new { content = "One" }, new { content = "Two" });
        var (freeStatus, freePage) = await ReadAnyAsync(browser, $"/learn/{free.Slug}/{free.LessonIds[1]}");
        Assert.Equal(HttpStatusCode.Forbidden, freeStatus);
        var opened = await browser.SubmitAsync(freePage, formSelector: "[data-testid=course-actions] form");
        Assert.Equal($"/learn/{free.Slug}/{free.LessonIds[0]}", browser.Location!.AbsolutePath);
        Assert.Equal("One", opened.QuerySelector("[data-testid=lesson-content]")!.TextContent.Trim());

        // An unknown lesson of a course is a 404 page, not a refusal.
        using var missing = await browser.GetAsync($"/learn/{course.Slug}/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task The_courses_instructor_reads_every_lesson_without_being_offered_to_enroll_or_complete()
    {
        using var api = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, api, "instructor");
        var course = await CourseWithLessonsAsync(api, instructor, 4900, new { content = "Open", preview = true }, new { content = "Owned **words**" });

        using var browser = await PortalBrowser.OpenAsync(stack);
        await browser.SignInAsync(instructor.Email, returnUrl: "/learning");
        var page = await browser.ReadAsync($"/learn/{course.Slug}/{course.LessonIds[1]}");

        Assert.Equal("words", page.QuerySelector("[data-testid=lesson-content] strong")!.TextContent);
        Assert.Null(page.QuerySelector("[data-testid=lesson-locked]"));
        Assert.Null(page.QuerySelector("[data-testid=complete-button]"));
        Assert.Null(page.QuerySelector("[data-testid=course-actions]"));
    }

    [Fact]
    public async Task Completing_a_lesson_without_the_antiforgery_token_is_refused_and_records_nothing()
    {
        using var api = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, api, "instructor");
        var course = await Courses.CreateAsync(api, instructor, lessons: 1);
        var learner = await TestAccounts.RegisterAsync(api);
        using (await api.PostJsonAsync($"/api/education/courses/{course.Id}/enroll", new { }, learner.AccessToken))
        {
        }

        using var browser = await PortalBrowser.OpenAsync(stack);
        await browser.SignInAsync(learner.Email, returnUrl: "/learning");
        using var forged = await browser.PostAsync($"/learn/{course.Slug}/{course.LessonIds[0]}", new Dictionary<string, string> { ["_handler"] = "complete-lesson" });

        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(0, await stack.CountAsync(
            "SELECT count(*) FROM lesson_completions lc JOIN enrollments e ON e.id = lc.enrollment_id WHERE e.user_id = @UserId", new { learner.UserId }));
    }

    private static async Task<(HttpStatusCode Status, IDocument Page)> ReadAnyAsync(PortalBrowser browser, string path)
    {
        using var response = await browser.GetAsync(path);
        return (response.StatusCode, await new HtmlParser().ParseDocumentAsync(await response.Content.ReadAsStringAsync()));
    }

    /// <summary>A published course whose lessons carry the given changes (content, preview, video).</summary>
    private static async Task<TestCourse> CourseWithLessonsAsync(HttpClient api, SignedIn instructor, long price, params object[] lessons)
    {
        var course = await Courses.CreateAsync(api, instructor, price: price, lessons: lessons.Length, publish: false);
        for (var index = 0; index < lessons.Length; index++)
        {
            using var patched = await api.SendJsonAsync(
                HttpMethod.Patch, $"/api/education/courses/{course.Id}/lessons/{course.LessonIds[index]}", lessons[index], instructor.AccessToken);
            Assert.True(patched.StatusCode == HttpStatusCode.OK, $"Patch answered {(int)patched.StatusCode}: {await patched.Content.ReadAsStringAsync()}");
        }

        using var published = await api.PostJsonAsync($"/api/education/courses/{course.Id}/publish", new { }, instructor.AccessToken);
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        return course;
    }
}
