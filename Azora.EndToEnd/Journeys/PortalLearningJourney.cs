using Azora.EndToEnd.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Azora.EndToEnd.Journeys;

/// <summary>
/// Learning in the portal: a new learner finds a free course, enrolls, reads and completes every lesson and gets the
/// certificate anyone can verify; and a learner is refused a lesson of a paid course they do not own. Each journey
/// makes an instructor and a course of its own (so it knows every lesson): not part of the production smoke run.
/// </summary>
public sealed class PortalLearningJourney(AzoraTarget target, ITestOutputHelper output) : BrowserJourney(target, output)
{
    [SkippableFact]
    public Task A_new_learner_finds_a_free_course_completes_every_lesson_and_gets_a_certificate_anyone_can_verify() => BrowseAsync(async (page, api) =>
    {
        RequireRoles();
        var word = $"e2e{Guid.NewGuid():N}"[..16];
        var title = $"Reading {word}";
        var course = await CreateCourseAsync(api, title, price: 0,
            new { content = "## Tables\n\nA **table** holds *rows*.\n\n<script>window.injected = true</script>", preview = true },
            new { content = "Joins combine rows of two tables." },
            new { content = "Aggregates sum them up." });
        var name = $"Learner {word}";

        // Sign up, from the catalog.
        await VisitAsync(page, "/courses");
        await page.GetByTestId("nav-sign-up").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/sign-up");
        var form = page.GetByTestId("sign-up-form");
        await form.GetByLabel("Your name").FillAsync(name);
        await form.GetByLabel("Email", new() { Exact = true }).FillAsync(Accounts.NewEmail());
        await form.GetByLabel("Password", new() { Exact = true }).FillAsync(Accounts.Password);
        await form.GetByTestId("sign-up-button").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/learning");
        await Assertions.Expect(page.GetByTestId("no-enrollments")).ToBeVisibleAsync();
        await CheckAccessibilityAsync(page);

        // Browse: the free course, found by its title.
        await page.GetByRole(AriaRole.Link, new() { Name = "Courses", Exact = true }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/courses");
        await page.GetByLabel("Search", new() { Exact = true }).FillAsync(word);
        await page.GetByLabel("Price").SelectOptionAsync("true");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show courses" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("q=", StringComparison.Ordinal));
        var card = page.GetByTestId("course-card");
        await Assertions.Expect(card).ToHaveCountAsync(1);
        await CheckAccessibilityAsync(page);

        await card.GetByRole(AriaRole.Link, new() { Name = title, Exact = true }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == $"/courses/{course.Slug}");
        await Assertions.Expect(page.GetByTestId("course-instructor")).ToHaveTextAsync("by E2E instructor");
        await Assertions.Expect(page.GetByTestId("enroll-button")).ToHaveTextAsync("Enroll for free");
        await CheckAccessibilityAsync(page);

        // Enroll: the first lesson opens, its Markdown rendered and its raw HTML shown as text, never run.
        await page.GetByTestId("enroll-button").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == LessonPath(course, 0));
        var content = page.GetByTestId("lesson-content");
        await Assertions.Expect(content.GetByRole(AriaRole.Heading, new() { Name = "Tables", Level = 3 })).ToBeVisibleAsync();
        await Assertions.Expect(content.Locator("strong")).ToHaveTextAsync("table");
        await Assertions.Expect(content).ToContainTextAsync("<script>window.injected = true</script>");
        Assert.False(await page.EvaluateAsync<bool>("() => window.injected === true"), "The lesson's script ran.");
        await CheckAccessibilityAsync(page);

        // Complete every lesson, one after the other; progress follows.
        for (var index = 0; index < course.LessonIds.Count; index++)
        {
            await Assertions.Expect(page.GetByTestId("lesson-title")).ToHaveTextAsync($"Lesson {index + 1}");
            await Assertions.Expect(page.GetByTestId("lesson-progress")).ToContainTextAsync($"{index} of {course.LessonIds.Count} lessons done");
            await CheckAccessibilityAsync(page);
            await page.GetByTestId("complete-button").ClickAsync();
            if (index < course.LessonIds.Count - 1)
            {
                await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == LessonPath(course, index + 1));
            }
        }

        // The last one leads to the certificate.
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath.StartsWith("/learning/certificates/", StringComparison.Ordinal));
        var certificate = page.GetByTestId("certificate");
        await Assertions.Expect(certificate.GetByTestId("certificate-name")).ToHaveTextAsync(name);
        await Assertions.Expect(certificate.GetByTestId("certificate-course")).ToHaveTextAsync(title);
        await CheckAccessibilityAsync(page);

        // Anyone with its link can verify it.
        var verifyPath = (await page.GetByTestId("verify-link").GetAttributeAsync("href"))!;
        await page.GetByTestId("verify-link").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == verifyPath);
        await Assertions.Expect(page.GetByTestId("certificate-verified")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByTestId("certificate-name")).ToHaveTextAsync(name);
        await CheckAccessibilityAsync(page);
        var verification = (await api.GetAsync(verifyPath.Replace("/certificates/", "/api/certificates/", StringComparison.Ordinal))).Expect(200).Json;
        Assert.Equal(name, verification.GetProperty("learnerName").GetString());
        Assert.Equal(title, verification.GetProperty("courseTitle").GetString());

        // My learning: the course done, with its certificate.
        await page.GetByTestId("nav-my-learning").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/learning");
        var enrollment = page.GetByTestId("enrollment");
        await Assertions.Expect(enrollment.GetByTestId("progress")).ToContainTextAsync($"{course.LessonIds.Count} of {course.LessonIds.Count} lessons done");
        await Assertions.Expect(enrollment.GetByTestId("certificate-link")).ToBeVisibleAsync();
        await CheckAccessibilityAsync(page);

        // And a mangled verification link is a 404 that says so.
        await VisitAsync(page, $"/certificates/{Guid.NewGuid()}", expectedStatus: 404);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "No such certificate", Level = 1 })).ToBeVisibleAsync();
    });

    [SkippableFact]
    public Task A_learner_on_a_phone_reads_the_preview_of_a_paid_course_and_is_refused_its_other_lessons() => BrowseAsync(async (page, api) =>
    {
        RequireRoles();
        var word = $"e2e{Guid.NewGuid():N}"[..16];
        var course = await CreateCourseAsync(api, $"Paid {word}", price: 4900,
            new { content = "Free to **read**.", preview = true },
            new { content = $"Only for owners {word}." });
        var learner = await Accounts.RegisterAsync(api);

        // Signed out, a non-preview lesson is refused, with the way in: sign in.
        await VisitAsync(page, LessonPath(course, 1), expectedStatus: 403);
        await Assertions.Expect(page.GetByTestId("lesson-locked")).ToContainTextAsync("Sign in to read this lesson");
        await AssertNoHorizontalScrollingAsync(page);

        // Signed in, the course page offers to buy it and its preview is open.
        await VisitAsync(page, $"/sign-in?returnUrl={Uri.EscapeDataString($"/courses/{course.Slug}")}");
        var signIn = page.GetByTestId("sign-in-form");
        await signIn.GetByLabel("Email", new() { Exact = true }).FillAsync(learner.Email);
        await signIn.GetByLabel("Password", new() { Exact = true }).FillAsync(Accounts.Password);
        await signIn.GetByTestId("sign-in-button").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == $"/courses/{course.Slug}");
        var buy = page.GetByTestId("buy-button");
        await Assertions.Expect(buy).ToHaveTextAsync("Buy for 49.00 USD");
        await Assertions.Expect(buy).ToHaveAttributeAsync("href", $"/checkout/{course.Slug}");
        await AssertWithinTheScreenAsync(page, buy);
        await AssertNoHorizontalScrollingAsync(page);
        await CheckAccessibilityAsync(page);

        await page.GetByTestId("lesson-list").GetByRole(AriaRole.Link, new() { Name = "Lesson 1" }).ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == LessonPath(course, 0));
        await Assertions.Expect(page.GetByTestId("lesson-content").Locator("strong")).ToHaveTextAsync("read");
        await Assertions.Expect(page.GetByTestId("complete-button")).ToHaveCountAsync(0);
        await AssertNoHorizontalScrollingAsync(page);
        await CheckAccessibilityAsync(page);

        // The next lesson is not theirs: the API's words, the buy button, and none of the lesson.
        await page.GetByTestId("next-lesson").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == LessonPath(course, 1));
        await Assertions.Expect(page.GetByTestId("lesson-locked")).ToContainTextAsync("Enroll in the course to read this lesson.");
        await Assertions.Expect(page.GetByTestId("buy-button")).ToHaveAttributeAsync("href", $"/checkout/{course.Slug}");
        await Assertions.Expect(page.GetByText($"Only for owners {word}.")).ToHaveCountAsync(0);
        await AssertNoHorizontalScrollingAsync(page);
        await CheckAccessibilityAsync(page);
        await VisitAsync(page, LessonPath(course, 1), expectedStatus: 403);

        // Nothing was granted on the way.
        Assert.Equal(0, (await api.GetAsync("/api/education/enrollments", learner.AccessToken)).Expect(200).Json
            .GetProperty("pagination").GetProperty("total").GetInt32());
    }, Phone);

    private static void RequireRoles() =>
        Skip.IfNot(AzoraTarget.CanGrantRoles, $"Needs a way to make an instructor for the journey's own course ({AzoraTarget.KubectlNamespaceVariable})");

    private static string LessonPath(JourneyCourse course, int index) => $"/learn/{course.Slug}/{course.LessonIds[index]}";

    /// <summary>A published course of a new instructor, whose lessons ("Lesson 1", …) carry the given changes.</summary>
    private async Task<JourneyCourse> CreateCourseAsync(ApiClient api, string title, long price, params object[] lessons)
    {
        var instructor = await Accounts.SignInAsAsync(Target, api, "instructor");
        var created = (await api.PostAsync("/api/education/courses", new
        {
            title,
            description = "A course of the portal's learning journey.",
            category = "programming",
            level = "beginner",
            price = new { amount = price, currency = "USD" },
        }, instructor.AccessToken)).Expect(201).Json.GetProperty("course");
        var id = created.GetProperty("id").GetGuid();
        var lessonIds = new List<Guid>();
        for (var index = 0; index < lessons.Length; index++)
        {
            var lesson = (await api.PostAsync($"/api/education/courses/{id}/lessons", new { title = $"Lesson {index + 1}", durationSeconds = 300 }, instructor.AccessToken))
                .Expect(201).Json.GetProperty("id").GetGuid();
            (await api.PatchAsync($"/api/education/courses/{id}/lessons/{lesson}", lessons[index], instructor.AccessToken)).Expect(200);
            lessonIds.Add(lesson);
        }

        (await api.PostAsync($"/api/education/courses/{id}/publish", bearer: instructor.AccessToken)).Expect(200);
        return new JourneyCourse(created.GetProperty("slug").GetString()!, lessonIds);
    }

    private sealed record JourneyCourse(string Slug, IReadOnlyList<Guid> LessonIds);
}
