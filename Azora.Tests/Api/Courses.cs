using System.Net;
using System.Text.Json;

namespace Azora.Tests.Api;

internal sealed record TestCourse(Guid Id, string Slug, IReadOnlyList<Guid> LessonIds);

/// <summary>Courses made through the authoring API, so tests never depend on each other's data.</summary>
internal static class Courses
{
    public static async Task<TestCourse> CreateAsync(
        HttpClient client, SignedIn author, long price = 0, int lessons = 3, bool publish = true, string category = "programming",
        string? title = null, string level = "beginner")
    {
        title ??= $"Course {Guid.NewGuid():N}";
        using var created = await client.PostJsonAsync("/api/education/courses", new
        {
            title,
            description = "Made by a test.",
            category,
            level,
            price = new { amount = price, currency = "USD" },
        }, author.AccessToken);
        Assert.True(created.StatusCode == HttpStatusCode.Created, $"Create answered {(int)created.StatusCode}: {await created.Content.ReadAsStringAsync()}");
        var course = (await created.JsonAsync()).GetProperty("course");
        var id = course.GetProperty("id").GetGuid();

        var lessonIds = new List<Guid>();
        for (var position = 1; position <= lessons; position++)
        {
            using var lesson = await client.PostJsonAsync($"/api/education/courses/{id}/lessons", new { title = $"Lesson {position}", durationSeconds = 600 }, author.AccessToken);
            Assert.Equal(HttpStatusCode.Created, lesson.StatusCode);
            lessonIds.Add((await lesson.JsonAsync()).GetProperty("id").GetGuid());
        }

        if (publish)
        {
            using var published = await client.PostJsonAsync($"/api/education/courses/{id}/publish", new { }, author.AccessToken);
            Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        }

        return new TestCourse(id, course.GetProperty("slug").GetString()!, lessonIds);
    }

    public static async Task<JsonElement> GetAsync(HttpClient client, string idOrSlug, string? bearer = null)
    {
        using var response = await client.SendJsonAsync(HttpMethod.Get, $"/api/education/courses/{idOrSlug}", null, bearer);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }
}
