using System.Net;
using System.Text.Json;
using Azora.Tests.Stack;

namespace Azora.Tests.Api;

/// <summary>
/// The course detail's outline marks previews for everyone and completions for an enrolled learner, and the catalog
/// cache, shared by anonymous callers, never hands one viewer's completions to another.
/// </summary>
[Collection(StackCollection.Name)]
public class LessonOutlineCacheTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task The_outline_marks_previews_for_everyone_and_completions_only_for_the_enrolled_learner()
    {
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var course = await LessonContentTests.CourseWithContentAsync(client, instructor);
        var learner = await EnrolledLearnerWithFirstLessonDoneAsync(client, course);

        Assert.Equal([true, false, false], Flags(await Courses.GetAsync(client, course.Slug), "preview"));
        Assert.Equal([true, false, false], Flags(await Courses.GetAsync(client, course.Slug, learner.AccessToken), "completed"));
        Assert.Equal([null, null, null], Flags(await Courses.GetAsync(client, course.Slug), "completed"));
        var stranger = await TestAccounts.RegisterAsync(client);
        Assert.Equal([null, null, null], Flags(await Courses.GetAsync(client, course.Slug, stranger.AccessToken), "completed"));
    }

    [Fact]
    public async Task A_learners_completions_are_never_served_from_the_cache_to_anyone_else_in_either_order()
    {
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var course = await LessonContentTests.CourseWithContentAsync(client, instructor);
        var learner = await EnrolledLearnerWithFirstLessonDoneAsync(client, course);
        var other = await EnrolledLearnerWithFirstLessonDoneAsync(client, course, completeFirst: false);

        // The learner reads first: nothing of theirs is stored for the anonymous caller or another learner after them.
        Assert.Equal([true, false, false], Flags(await Courses.GetAsync(client, course.Slug, learner.AccessToken), "completed"));
        Assert.Equal([null, null, null], Flags(await Courses.GetAsync(client, course.Slug), "completed"));
        Assert.Equal([false, false, false], Flags(await Courses.GetAsync(client, course.Slug, other.AccessToken), "completed"));

        // The anonymous entry is cached now: changed behind the API's back, the anonymous caller still gets the old
        // title, which shows the cache is in use; the learners read past it and see their own, current progress.
        await stack.ExecuteAsync("UPDATE courses SET title = 'Changed in the database' WHERE id = @id", new { id = course.Id });
        var anonymous = await Courses.GetAsync(client, course.Slug);
        Assert.NotEqual("Changed in the database", anonymous.GetProperty("course").GetProperty("title").GetString());
        Assert.Equal([null, null, null], Flags(anonymous, "completed"));

        using (await client.PostJsonAsync($"/api/education/courses/{course.Id}/lessons/{course.LessonIds[1]}/complete", new { }, learner.AccessToken))
        {
        }

        var mine = await Courses.GetAsync(client, course.Slug, learner.AccessToken);
        Assert.Equal("Changed in the database", mine.GetProperty("course").GetProperty("title").GetString());
        Assert.Equal([true, true, false], Flags(mine, "completed"));
        Assert.Equal([false, false, false], Flags(await Courses.GetAsync(client, course.Id.ToString(), other.AccessToken), "completed"));
        Assert.Equal([null, null, null], Flags(await Courses.GetAsync(client, course.Id.ToString()), "completed"));
    }

    private static async Task<SignedIn> EnrolledLearnerWithFirstLessonDoneAsync(HttpClient client, TestCourse course, bool completeFirst = true)
    {
        var learner = await TestAccounts.RegisterAsync(client);
        using var enrolled = await client.PostJsonAsync($"/api/education/courses/{course.Id}/enroll", new { }, learner.AccessToken);
        Assert.Equal(HttpStatusCode.Created, enrolled.StatusCode);
        if (completeFirst)
        {
            using var done = await client.PostJsonAsync($"/api/education/courses/{course.Id}/lessons/{course.LessonIds[0]}/complete", new { }, learner.AccessToken);
            Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        }

        return learner;
    }

    private static bool?[] Flags(JsonElement detail, string flag) =>
        detail.GetProperty("lessons").EnumerateArray()
            .Select(lesson => lesson.GetProperty(flag) is { ValueKind: JsonValueKind.True or JsonValueKind.False } value ? value.GetBoolean() : (bool?)null)
            .ToArray();
}
