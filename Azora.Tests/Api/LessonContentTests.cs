using System.Net;
using System.Text.Json;
using Azora.Tests.Stack;

namespace Azora.Tests.Api;

/// <summary>Lesson content: written by the course's author, read by whoever the course entitles, previews by anyone.</summary>
[Collection(StackCollection.Name)]
public class LessonContentTests(AzoraStackFixture stack)
{
    private const string Markdown = "# Joins\n\nA *join* combines rows.\n\n<script>alert('kept as text')</script>\n";

    [Fact]
    public async Task A_preview_lesson_is_readable_by_anyone_and_the_others_need_an_enrollment_or_authorship()
    {
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var course = await CourseWithContentAsync(client, instructor);
        var (preview, paid) = (LessonPath(course, 0), LessonPath(course, 1));

        using (var anonymous = await client.GetAsync(preview))
        {
            var lesson = await LessonAsync(anonymous);
            Assert.True(lesson.GetProperty("preview").GetBoolean());
            Assert.Equal(Markdown, lesson.GetProperty("content").GetString());
            Assert.Equal("https://videos.example.com/joins.mp4", lesson.GetProperty("videoUrl").GetString());
            Assert.Equal(JsonValueKind.Null, lesson.GetProperty("completed").ValueKind);
            Assert.Contains("no-store", anonymous.Headers.CacheControl!.ToString());
        }

        using (var anonymous = await client.GetAsync(paid))
        {
            await ProblemAssert.IsProblemAsync(anonymous, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }

        var learner = await TestAccounts.RegisterAsync(client);
        var otherInstructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        foreach (var stranger in new[] { learner, otherInstructor })
        {
            using var refused = await client.GetAsync(paid, stranger.AccessToken);
            await ProblemAssert.IsProblemAsync(refused, HttpStatusCode.Forbidden, "NOT_ENROLLED");
        }

        using (await client.PostJsonAsync($"/api/education/courses/{course.Id}/enroll", new { }, learner.AccessToken))
        {
        }

        using (var enrolled = await client.GetAsync(paid, learner.AccessToken))
        {
            var lesson = await LessonAsync(enrolled);
            Assert.Equal("Lesson 2 content", lesson.GetProperty("content").GetString());
            Assert.False(lesson.GetProperty("completed").GetBoolean());
        }

        using (await client.PostJsonAsync($"{paid}/complete", new { }, learner.AccessToken))
        {
        }

        using (var enrolled = await client.GetAsync(paid, learner.AccessToken))
        {
            Assert.True((await LessonAsync(enrolled)).GetProperty("completed").GetBoolean());
        }

        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");
        foreach (var author in new[] { instructor, admin })
        {
            using var read = await client.GetAsync(paid, author.AccessToken);
            Assert.Equal("Lesson 2 content", (await LessonAsync(read)).GetProperty("content").GetString());
        }
    }

    [Fact]
    public async Task Unknown_lessons_lessons_of_another_course_and_lessons_of_a_draft_are_not_found()
    {
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var course = await CourseWithContentAsync(client, instructor);
        var other = await Courses.CreateAsync(client, instructor);
        var learner = await TestAccounts.RegisterAsync(client);

        foreach (var path in new[] { $"/api/education/courses/{course.Id}/lessons/{Guid.NewGuid()}", $"/api/education/courses/{course.Id}/lessons/{other.LessonIds[0]}" })
        {
            using var missing = await client.GetAsync(path, learner.AccessToken);
            await ProblemAssert.IsProblemAsync(missing, HttpStatusCode.NotFound, "NOT_FOUND");
        }

        // Unpublished: the preview is gone for the public, but the author still reads it.
        using (var unpublish = await client.PostJsonAsync($"/api/education/courses/{course.Id}/unpublish", new { }, instructor.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, unpublish.StatusCode);
        }

        using (var anonymous = await client.GetAsync(LessonPath(course, 0)))
        {
            await ProblemAssert.IsProblemAsync(anonymous, HttpStatusCode.NotFound, "NOT_FOUND");
        }

        using (var stranger = await client.GetAsync(LessonPath(course, 1), learner.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(stranger, HttpStatusCode.NotFound, "NOT_FOUND");
        }

        using var own = await client.GetAsync(LessonPath(course, 0), instructor.AccessToken);
        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
    }

    [Fact]
    public async Task A_learner_keeps_reading_a_course_that_was_unpublished_after_they_enrolled()
    {
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var course = await CourseWithContentAsync(client, instructor);
        var learner = await TestAccounts.RegisterAsync(client);
        using (await client.PostJsonAsync($"/api/education/courses/{course.Id}/enroll", new { }, learner.AccessToken))
        {
        }

        using (await client.PostJsonAsync($"/api/education/courses/{course.Id}/unpublish", new { }, instructor.AccessToken))
        {
        }

        using var read = await client.GetAsync(LessonPath(course, 1), learner.AccessToken);
        Assert.Equal("Lesson 2 content", (await LessonAsync(read)).GetProperty("content").GetString());
    }

    [Fact]
    public async Task The_author_writes_content_a_video_and_the_preview_flag_and_an_empty_video_url_removes_the_video()
    {
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var course = await Courses.CreateAsync(client, instructor, lessons: 0, publish: false);
        var longest = new string('x', 100_000);

        using var added = await client.PostJsonAsync($"/api/education/courses/{course.Id}/lessons", new
        {
            title = "Everything", durationSeconds = 60, contentRef = "drafts/everything.md", content = longest,
            videoUrl = "https://videos.example.com/a.mp4?t=1", preview = true,
        }, instructor.AccessToken);
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        var lesson = await added.JsonAsync();
        Assert.Equal(longest, lesson.GetProperty("content").GetString());
        Assert.Equal("https://videos.example.com/a.mp4?t=1", lesson.GetProperty("videoUrl").GetString());
        Assert.True(lesson.GetProperty("preview").GetBoolean());
        Assert.Equal("drafts/everything.md", lesson.GetProperty("contentRef").GetString());

        var path = $"/api/education/courses/{course.Id}/lessons/{lesson.GetProperty("id").GetGuid()}";
        using (var untouched = await client.SendJsonAsync(HttpMethod.Patch, path, new { title = "Renamed" }, instructor.AccessToken))
        {
            var kept = await untouched.JsonAsync();
            Assert.Equal(longest, kept.GetProperty("content").GetString());
            Assert.Equal("https://videos.example.com/a.mp4?t=1", kept.GetProperty("videoUrl").GetString());
            Assert.True(kept.GetProperty("preview").GetBoolean());
        }

        using var cleared = await client.SendJsonAsync(HttpMethod.Patch, path, new { content = "Short.", videoUrl = "", preview = false }, instructor.AccessToken);
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        var changed = await cleared.JsonAsync();
        Assert.Equal("Short.", changed.GetProperty("content").GetString());
        Assert.Equal(JsonValueKind.Null, changed.GetProperty("videoUrl").ValueKind);
        Assert.False(changed.GetProperty("preview").GetBoolean());
    }

    [Theory]
    [InlineData("content", "too long")]
    [InlineData("videoUrl", "http://videos.example.com/a.mp4")]
    [InlineData("videoUrl", "javascript:alert(1)")]
    [InlineData("videoUrl", "JAVASCRIPT://videos.example.com/%0aalert(1)")]
    [InlineData("videoUrl", "data:text/html,<script>alert(1)</script>")]
    [InlineData("videoUrl", "/videos/a.mp4")]
    [InlineData("videoUrl", "https://")]
    [InlineData("videoUrl", "https://user:secret@videos.example.com/a.mp4")]
    [InlineData("videoUrl", "too long")]
    public async Task Bad_content_or_video_urls_are_refused_naming_the_field_on_create_and_on_change(string field, string value)
    {
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var course = await Courses.CreateAsync(client, instructor, lessons: 1, publish: false);
        value = (field, value) switch
        {
            ("content", "too long") => new string('x', 100_001),
            ("videoUrl", "too long") => "https://videos.example.com/" + new string('a', 2_000),
            _ => value,
        };
        var body = new Dictionary<string, object> { ["title"] = "Lesson", [field] = value };

        using var created = await client.PostJsonAsync($"/api/education/courses/{course.Id}/lessons", body, instructor.AccessToken);
        await ProblemAssert.IsValidationProblemAsync(created, field);
        using var changed = await client.SendJsonAsync(
            HttpMethod.Patch, $"/api/education/courses/{course.Id}/lessons/{course.LessonIds[0]}", new Dictionary<string, object> { [field] = value },
            instructor.AccessToken);
        await ProblemAssert.IsValidationProblemAsync(changed, field);
        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM lessons WHERE course_id = @id AND content = '' AND video_url IS NULL", new { id = course.Id }));
    }

    /// <summary>A published course of three lessons: the first a preview with Markdown and a video, the others plain text.</summary>
    internal static async Task<TestCourse> CourseWithContentAsync(HttpClient client, SignedIn instructor)
    {
        var course = await Courses.CreateAsync(client, instructor, lessons: 3, publish: false);
        for (var index = 0; index < course.LessonIds.Count; index++)
        {
            object changes = index == 0
                ? new { content = Markdown, videoUrl = "https://videos.example.com/joins.mp4", preview = true }
                : new { content = $"Lesson {index + 1} content" };
            using var patched = await client.SendJsonAsync(
                HttpMethod.Patch, $"/api/education/courses/{course.Id}/lessons/{course.LessonIds[index]}", changes, instructor.AccessToken);
            Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        }

        using var published = await client.PostJsonAsync($"/api/education/courses/{course.Id}/publish", new { }, instructor.AccessToken);
        Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        return course;
    }

    private static string LessonPath(TestCourse course, int index) => $"/api/education/courses/{course.Id}/lessons/{course.LessonIds[index]}";

    private static async Task<JsonElement> LessonAsync(HttpResponseMessage response)
    {
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.JsonAsync();
    }
}
