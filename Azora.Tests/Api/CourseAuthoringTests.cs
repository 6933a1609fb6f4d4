using System.Net;
using Azora.Tests.Stack;

namespace Azora.Tests.Api;

[Collection(StackCollection.Name)]
public class CourseAuthoringTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task Drafts_are_visible_only_to_their_instructor_and_admins()
    {
        using var client = stack.CreateApiClient();
        var owner = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var otherInstructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");
        var learner = await TestAccounts.RegisterAsync(client);
        var draft = await Courses.CreateAsync(client, owner, publish: false);

        foreach (var outsider in new string?[] { null, learner.AccessToken, otherInstructor.AccessToken })
        {
            using var hidden = await client.SendJsonAsync(HttpMethod.Get, $"/api/education/courses/{draft.Id}", null, outsider);
            await ProblemAssert.IsProblemAsync(hidden, HttpStatusCode.NotFound, "NOT_FOUND");
            Assert.DoesNotContain(draft.Id.ToString(), await ListIdsAsync(client, outsider, owner.UserId));
        }

        foreach (var insider in new[] { owner.AccessToken, admin.AccessToken })
        {
            var detail = await Courses.GetAsync(client, draft.Slug, insider);
            Assert.False(detail.GetProperty("course").GetProperty("published").GetBoolean());
            Assert.Contains(draft.Id.ToString(), await ListIdsAsync(client, insider, owner.UserId));
        }
    }

    [Fact]
    public async Task Only_the_owner_or_an_admin_may_change_a_course()
    {
        using var client = stack.CreateApiClient();
        var owner = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var otherInstructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");
        var learner = await TestAccounts.RegisterAsync(client);
        var course = await Courses.CreateAsync(client, owner);

        using (var foreign = await client.SendJsonAsync(HttpMethod.Patch, $"/api/education/courses/{course.Id}", new { title = "Taken over" }, otherInstructor.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(foreign, HttpStatusCode.Forbidden, "FORBIDDEN");
        }

        using (var byLearner = await client.PostJsonAsync("/api/education/courses", new { title = "Mine now" }, learner.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(byLearner, HttpStatusCode.Forbidden, "FORBIDDEN");
        }

        using (var anonymous = await client.SendJsonAsync(HttpMethod.Delete, $"/api/education/courses/{course.Id}", null))
        {
            await ProblemAssert.IsProblemAsync(anonymous, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }

        using (var byAdmin = await client.SendJsonAsync(HttpMethod.Patch, $"/api/education/courses/{course.Id}", new { title = "Edited by an admin" }, admin.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, byAdmin.StatusCode);
        }

        using var byOwner = await client.SendJsonAsync(HttpMethod.Patch, $"/api/education/courses/{course.Id}", new { level = "advanced", price = new { amount = 2500, currency = "EUR" } }, owner.AccessToken);
        var detail = (await byOwner.JsonAsync()).GetProperty("course");
        Assert.Equal("Edited by an admin", detail.GetProperty("title").GetString());
        Assert.Equal("advanced", detail.GetProperty("level").GetString());
        Assert.Equal(2500, detail.GetProperty("price").GetProperty("amount").GetInt64());
        Assert.Equal("EUR", detail.GetProperty("price").GetProperty("currency").GetString());
    }

    [Fact]
    public async Task Invalid_course_fields_are_reported_by_name()
    {
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");

        using var response = await client.PostJsonAsync("/api/education/courses", new
        {
            title = "",
            slug = "Not A Slug",
            category = "no-such-category",
            level = "expert",
            price = new { amount = -1, currency = "usd" },
        }, instructor.AccessToken);

        await ProblemAssert.IsValidationProblemAsync(response, "title", "slug", "category", "level", "price.amount", "price.currency");
    }

    [Fact]
    public async Task A_chosen_slug_is_unique_and_a_generated_one_gets_a_suffix()
    {
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var title = $"Same Title {Guid.NewGuid():N}";
        var first = await Courses.CreateAsync(client, instructor, title: title, publish: false, lessons: 0);
        var second = await Courses.CreateAsync(client, instructor, title: title, publish: false, lessons: 0);

        Assert.StartsWith(first.Slug, second.Slug);
        Assert.NotEqual(first.Slug, second.Slug);
        using var taken = await client.PostJsonAsync("/api/education/courses", new
        {
            title = "Another",
            slug = first.Slug,
            category = "design",
            level = "beginner",
            price = new { amount = 0, currency = "USD" },
        }, instructor.AccessToken);
        await ProblemAssert.IsProblemAsync(taken, HttpStatusCode.Conflict, "CONFLICT");
    }

    [Fact]
    public async Task A_course_without_lessons_cannot_be_published()
    {
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var empty = await Courses.CreateAsync(client, instructor, publish: false, lessons: 0);

        using var response = await client.PostJsonAsync($"/api/education/courses/{empty.Id}/publish", new { }, instructor.AccessToken);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Conflict, "CONFLICT");
    }

    [Fact]
    public async Task Lessons_can_be_inserted_moved_and_removed_and_positions_stay_contiguous()
    {
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var course = await Courses.CreateAsync(client, instructor, lessons: 3);

        using (var inserted = await client.PostJsonAsync($"/api/education/courses/{course.Id}/lessons", new { title = "Welcome", durationSeconds = 60, position = 1 }, instructor.AccessToken))
        {
            Assert.Equal(1, (await inserted.JsonAsync()).GetProperty("position").GetInt32());
        }

        using (var moved = await client.SendJsonAsync(HttpMethod.Patch, $"/api/education/courses/{course.Id}/lessons/{course.LessonIds[2]}", new { position = 2 }, instructor.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        }

        using (var removed = await client.SendJsonAsync(HttpMethod.Delete, $"/api/education/courses/{course.Id}/lessons/{course.LessonIds[0]}", null, instructor.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        }

        var lessons = (await Courses.GetAsync(client, course.Slug)).GetProperty("lessons").EnumerateArray().ToList();
        Assert.Equal(["Welcome", "Lesson 3", "Lesson 2"], lessons.Select(lesson => lesson.GetProperty("title").GetString()));
        Assert.Equal([1, 2, 3], lessons.Select(lesson => lesson.GetProperty("position").GetInt32()));

        using var invalid = await client.PostJsonAsync($"/api/education/courses/{course.Id}/lessons", new { title = "", durationSeconds = -5, position = 0 }, instructor.AccessToken);
        await ProblemAssert.IsValidationProblemAsync(invalid, "title", "durationSeconds", "position");
    }

    [Fact]
    public async Task A_course_with_enrollments_is_archived_not_deleted()
    {
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var unused = await Courses.CreateAsync(client, instructor);
        var taken = await Courses.CreateAsync(client, instructor);
        var learner = await TestAccounts.RegisterAsync(client);
        using (var _ = await client.PostJsonAsync($"/api/education/courses/{taken.Id}/enroll", new { }, learner.AccessToken)) { }

        using (var deleted = await client.SendJsonAsync(HttpMethod.Delete, $"/api/education/courses/{unused.Id}", null, instructor.AccessToken))
        {
            Assert.Equal("deleted", (await deleted.JsonAsync()).GetProperty("outcome").GetString());
        }

        using (var archived = await client.SendJsonAsync(HttpMethod.Delete, $"/api/education/courses/{taken.Id}", null, instructor.AccessToken))
        {
            Assert.Equal("archived", (await archived.JsonAsync()).GetProperty("outcome").GetString());
        }

        using (var gone = await client.GetAsync($"/api/education/courses/{unused.Id}", instructor.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(gone, HttpStatusCode.NotFound, "NOT_FOUND");
        }

        using (var hidden = await client.GetAsync($"/api/education/courses/{taken.Id}"))
        {
            await ProblemAssert.IsProblemAsync(hidden, HttpStatusCode.NotFound, "NOT_FOUND");
        }

        var kept = await Courses.GetAsync(client, taken.Id.ToString(), instructor.AccessToken);
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, kept.GetProperty("course").GetProperty("archivedAt").ValueKind);
        using var mine = await client.GetAsync("/api/education/enrollments", learner.AccessToken);
        Assert.Equal(taken.Id, (await mine.JsonAsync()).GetProperty("data")[0].GetProperty("course").GetProperty("id").GetGuid());
    }

    [Fact]
    public async Task The_cache_serves_repeated_reads_and_a_change_is_visible_at_once()
    {
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var course = await Courses.CreateAsync(client, instructor, title: $"Cached {Guid.NewGuid():N}");
        var path = $"/api/education/courses/{course.Slug}";
        await Courses.GetAsync(client, course.Slug);

        // Changed behind the API's back: the cached response is still served, which shows the cache is in use.
        await stack.ExecuteAsync("UPDATE courses SET title = 'Changed in the database' WHERE id = @id", new { id = course.Id });

        Assert.NotEqual("Changed in the database", (await Courses.GetAsync(client, course.Slug)).GetProperty("course").GetProperty("title").GetString());

        // Changed through the API: evicted at once, for the detail and the list.
        using (var patch = await client.SendJsonAsync(HttpMethod.Patch, $"/api/education/courses/{course.Id}", new { title = "Changed through the API" }, instructor.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        }

        Assert.Equal("Changed through the API", (await Courses.GetAsync(client, course.Slug)).GetProperty("course").GetProperty("title").GetString());
        using var list = await client.GetAsync($"/api/education/courses?instructorId={instructor.UserId}");
        Assert.Equal("Changed through the API", (await list.JsonAsync()).GetProperty("data")[0].GetProperty("title").GetString());

        using (var unpublish = await client.PostJsonAsync($"/api/education/courses/{course.Id}/unpublish", new { }, instructor.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, unpublish.StatusCode);
        }

        using var hidden = await client.GetAsync(path);
        await ProblemAssert.IsProblemAsync(hidden, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task A_change_made_through_one_replica_is_seen_at_once_through_another()
    {
        // Long-lived local copies, so only the eviction message can explain a fresh answer.
        var settings = new Dictionary<string, string> { ["Azora:Education:CatalogLocalCacheDuration"] = "00:01:00" };
        await using var first = await ApiInstance.StartAsync(stack, settings);
        await using var second = await ApiInstance.StartAsync(stack, settings);
        var instructor = await TestRoles.SignInAsAsync(stack, first.Client, "instructor");
        var course = await Courses.CreateAsync(first.Client, instructor);
        Assert.NotEqual("Renamed on the first replica", await TitleAsync(second.Client, course.Slug));
        Assert.NotEqual("Renamed on the first replica", await TitleAsync(second.Client, course.Slug));

        using (var patch = await first.Client.SendJsonAsync(HttpMethod.Patch, $"/api/education/courses/{course.Id}", new { title = "Renamed on the first replica" }, instructor.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        }

        // The eviction message travels through Redis; allow it a moment, far less than the local lifetime.
        var seen = await Eventually.ReadAsync(
            () => TitleAsync(second.Client, course.Slug), title => title == "Renamed on the first replica", attempts: 100, TimeSpan.FromMilliseconds(100));

        Assert.Equal("Renamed on the first replica", seen);
    }

    [Fact]
    public async Task With_redis_down_the_catalog_is_served_from_the_database()
    {
        await using var api = await ApiInstance.StartAsync(stack, new Dictionary<string, string>(), cacheConnectionString: ApiInstance.UnreachableEndpoint());

        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var list = await api.Client.GetAsync("/api/education/courses?category=music");
            Assert.Equal(HttpStatusCode.OK, list.StatusCode);
            Assert.Equal(5, (await list.JsonAsync()).GetProperty("pagination").GetProperty("total").GetInt64());
            using var detail = await api.Client.GetAsync("/api/education/courses/jazz-harmony");
            Assert.Equal(HttpStatusCode.OK, detail.StatusCode);
        }

        using var metrics = await api.Client.GetAsync("/metrics");
        Assert.Matches("azora_cache_lookups_total\\{[^}]*result=\"error\"[^}]*\\} [1-9]", await metrics.Content.ReadAsStringAsync());
    }

    private static async Task<string> TitleAsync(HttpClient client, string slug) =>
        (await Courses.GetAsync(client, slug)).GetProperty("course").GetProperty("title").GetString()!;

    private static async Task<string> ListIdsAsync(HttpClient client, string? bearer, Guid instructorId)
    {
        using var response = await client.SendJsonAsync(HttpMethod.Get, $"/api/education/courses?instructorId={instructorId}&limit=100", null, bearer);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
