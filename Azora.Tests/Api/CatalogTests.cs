using System.Net;
using System.Text.Json;
using Azora.Api.Auth;
using Azora.Api.Education.Catalog;
using Azora.Tests.Stack;

namespace Azora.Tests.Api;

[Collection(StackCollection.Name)]
public class CatalogTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task The_seeded_catalog_lists_published_courses_with_instructor_and_enrollment_count()
    {
        using var client = stack.CreateApiClient();

        using var response = await client.GetAsync("/api/education/courses?limit=100&category=music");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        var courses = body.GetProperty("data").EnumerateArray().ToList();
        Assert.Equal(5, courses.Count); // six sample music courses, one of them a draft
        Assert.All(courses, course =>
        {
            Assert.True(course.GetProperty("published").GetBoolean());
            Assert.False(string.IsNullOrEmpty(course.GetProperty("instructor").GetProperty("name").GetString()));
            Assert.True(course.GetProperty("enrollmentCount").GetInt64() >= 0);
            Assert.Equal("music", course.GetProperty("category").GetProperty("slug").GetString());
        });
        var pagination = body.GetProperty("pagination");
        Assert.Equal(5, pagination.GetProperty("total").GetInt64());
        Assert.Equal(1, pagination.GetProperty("pages").GetInt64());
    }

    [Theory]
    [InlineData("page=0", "page")]
    [InlineData("page=-1", "page")]
    [InlineData("page=abc", "page")]
    [InlineData("page=1000001", "page")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=101", "limit")]
    [InlineData("limit=99999999999999999999", "limit")]
    [InlineData("level=expert", "level")]
    [InlineData("free=maybe", "free")]
    [InlineData("sort=random", "sort")]
    [InlineData("instructorId=not-a-guid", "instructorId")]
    public async Task Bad_list_parameters_are_validation_errors(string query, string field)
    {
        using var client = stack.CreateApiClient();

        using var response = await client.GetAsync($"/api/education/courses?{query}");

        await ProblemAssert.IsValidationProblemAsync(response, field);
    }

    [Fact]
    public async Task A_page_past_the_end_is_empty_and_still_reports_the_total()
    {
        using var client = stack.CreateApiClient();

        using var response = await client.GetAsync("/api/education/courses?page=1000000&limit=100");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        Assert.Empty(body.GetProperty("data").EnumerateArray());
        Assert.True(body.GetProperty("pagination").GetProperty("total").GetInt64() >= 30);
        Assert.Equal(1_000_000, body.GetProperty("pagination").GetProperty("page").GetInt32());
    }

    [Fact]
    public async Task Pages_partition_the_catalog_without_overlap()
    {
        using var client = stack.CreateApiClient();

        var first = await ListAsync(client, "category=programming&sort=title&limit=3&page=1");
        var second = await ListAsync(client, "category=programming&sort=title&limit=3&page=2");
        var all = await ListAsync(client, "category=programming&sort=title&limit=6");

        Assert.Equal(all.Select(Title), first.Concat(second).Select(Title));
    }

    [Fact]
    public async Task Filters_and_search_narrow_the_list()
    {
        using var client = stack.CreateApiClient();

        Assert.All(await ListAsync(client, "free=true&limit=100"), course => Assert.Equal(0, course.GetProperty("price").GetProperty("amount").GetInt64()));
        Assert.All(await ListAsync(client, "free=false&limit=100"), course => Assert.True(course.GetProperty("price").GetProperty("amount").GetInt64() > 0));
        Assert.All(await ListAsync(client, "level=advanced&limit=100"), course => Assert.Equal("advanced", course.GetProperty("level").GetString()));

        var sql = await ListAsync(client, "q=sql");
        Assert.Contains(sql, course => course.GetProperty("title").GetString() == "SQL for Analysts");

        var words = await ListAsync(client, "q=" + Uri.EscapeDataString("machine learning"));
        Assert.Equal(["Machine Learning Foundations"], words.Select(Title));

        var injection = await ListAsync(client, "q=" + Uri.EscapeDataString("' OR 1=1 --"));
        Assert.Empty(injection);

        var wildcard = await ListAsync(client, "q=%25");
        Assert.Empty(wildcard);

        var instructorId = sql[0].GetProperty("instructor").GetProperty("id").GetGuid();
        Assert.All(await ListAsync(client, $"instructorId={instructorId}&limit=100"), course =>
            Assert.Equal(instructorId, course.GetProperty("instructor").GetProperty("id").GetGuid()));
    }

    [Theory]
    [InlineData("price")]
    [InlineData("-price")]
    [InlineData("title")]
    [InlineData("newest")]
    public async Task Sorting_orders_the_list(string sort)
    {
        using var client = stack.CreateApiClient();

        var courses = await ListAsync(client, $"sort={sort}&limit=100&category=design");

        var keys = sort switch
        {
            "price" or "-price" => courses.Select(course => (object)course.GetProperty("price").GetProperty("amount").GetInt64()).ToList(),
            "title" => courses.Select(course => (object)course.GetProperty("title").GetString()!.ToLowerInvariant()).ToList(),
            _ => courses.Select(course => (object)course.GetProperty("createdAt").GetDateTimeOffset()).ToList(),
        };
        var expected = sort is "-price" or "newest" ? keys.OrderDescending().ToList() : keys.Order().ToList();
        Assert.True(courses.Count >= 4);
        Assert.Equal(expected, keys);
    }

    [Fact]
    public async Task A_course_is_found_by_id_and_by_slug_with_its_lessons_in_order()
    {
        using var client = stack.CreateApiClient();
        var listed = (await ListAsync(client, "q=" + Uri.EscapeDataString("Jazz Harmony"))).Single();

        var bySlug = await Courses.GetAsync(client, listed.GetProperty("slug").GetString()!);
        var byId = await Courses.GetAsync(client, listed.GetProperty("id").GetString()!);

        Assert.Equal(bySlug.ToString(), byId.ToString());
        var positions = bySlug.GetProperty("lessons").EnumerateArray().Select(lesson => lesson.GetProperty("position").GetInt32()).ToList();
        Assert.Equal(Enumerable.Range(1, positions.Count), positions);
        Assert.Equal(positions.Count, bySlug.GetProperty("course").GetProperty("lessonCount").GetInt32());
    }

    [Theory]
    [InlineData("no-such-course")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    [InlineData("UPPER-Case")]
    [InlineData("%27%20OR%201%3D1")]
    public async Task Unknown_ids_and_slugs_are_404_problems(string idOrSlug)
    {
        using var client = stack.CreateApiClient();

        using var response = await client.GetAsync($"/api/education/courses/{idOrSlug}");

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task Categories_count_their_published_courses()
    {
        using var client = stack.CreateApiClient();

        using var response = await client.GetAsync("/api/education/categories");

        var categories = (await response.JsonAsync()).GetProperty("data").EnumerateArray().ToList();
        Assert.True(categories.Count >= 6);
        var music = categories.Single(category => category.GetProperty("slug").GetString() == "music");
        Assert.Equal(5, music.GetProperty("courseCount").GetInt64());
    }

    [Theory]
    [InlineData("newest")]
    [InlineData("oldest")]
    [InlineData("title")]
    [InlineData("price")]
    [InlineData("-price")]
    [InlineData("popular")]
    public async Task The_staff_list_pages_through_every_course_it_may_see_once_in_order_over_ties(string sort)
    {
        using var client = stack.CreateApiClient();
        var owner = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var other = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");
        var published = await Courses.CreateAsync(client, owner, lessons: 1);
        var draft = await Courses.CreateAsync(client, owner, lessons: 1, publish: false);
        var archived = await Courses.CreateAsync(client, owner, lessons: 1);
        var othersDraft = await Courses.CreateAsync(client, other, lessons: 1, publish: false);
        Guid[] tied = [published.Id, draft.Id, archived.Id, othersDraft.Id];
        // Equal in every sort key, so only the id decides their order, wherever the page boundaries fall.
        await stack.ExecuteAsync(
            "UPDATE courses SET created_at = now() - interval '1 day', title = @title, price_minor = 1234 WHERE id = ANY(@tied)",
            new { title = $"Tied {Guid.NewGuid():N}", tied });
        await stack.ExecuteAsync("UPDATE courses SET archived_at = now() WHERE id = @id", new { id = archived.Id });

        foreach (var (viewer, visible) in new[]
        {
            (owner, "(published AND archived_at IS NULL) OR instructor_id = @owner"),
            (admin, "true"),
        })
        {
            var (small, totals) = await ListAllAsync(client, viewer.AccessToken, $"sort={sort}", 9);
            var (large, _) = await ListAllAsync(client, viewer.AccessToken, $"sort={sort}", 100);

            var ids = small.Select(course => course.GetProperty("id").GetGuid()).ToList();
            var expectedTotal = await stack.CountAsync($"SELECT count(*) FROM courses WHERE {visible}", new { owner = owner.UserId });
            Assert.All(totals, total => Assert.Equal(expectedTotal, total));
            Assert.Equal(expectedTotal, ids.Count);
            Assert.Equal(ids.Count, ids.Distinct().Count());
            Assert.Equal(ids, large.Select(course => course.GetProperty("id").GetGuid()));
            Assert.Contains(draft.Id, ids);
            Assert.Contains(archived.Id, ids);
            Assert.Equal(viewer == admin, ids.Contains(othersDraft.Id));
            for (var i = 1; i < small.Count; i++)
            {
                Assert.True(StaffOrder(sort, small[i - 1], small[i]) < 0, $"{sort}: {small[i - 1]} is listed before {small[i]}");
            }
        }
    }

    [Fact]
    public async Task A_pages_courses_are_read_in_the_order_of_its_ids_leaving_out_what_the_viewer_can_no_longer_see()
    {
        using var client = stack.CreateApiClient();
        var owner = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var published = await Courses.CreateAsync(client, owner, lessons: 2);
        var draft = await Courses.CreateAsync(client, owner, lessons: 1, publish: false);
        var other = await Courses.CreateAsync(client, owner, lessons: 1);
        // The page's ids were found before the course was unpublished and another deleted: its columns are read after.
        List<Guid> ids = [other.Id, draft.Id, Guid.NewGuid(), published.Id];
        await using var database = Npgsql.NpgsqlDataSource.Create(await stack.ConnectionStringAsync("azora"));
        await using var connection = await database.OpenConnectionAsync();

        var anonymous = await CatalogQueries.InPageOrderAsync(connection, new Viewer(null, false, false), ids, CancellationToken.None);
        var theOwner = await CatalogQueries.InPageOrderAsync(connection, new Viewer(owner.UserId, false, true), ids, CancellationToken.None);

        Assert.Equal([other.Id, published.Id], anonymous.Select(row => row.Id));
        Assert.Equal([other.Id, draft.Id, published.Id], theOwner.Select(row => row.Id));
        Assert.Equal(2, theOwner[^1].LessonCount);
    }

    /// <summary>The catalog's documented order, each sort's key then the course id, as the API's queries define it.</summary>
    private static int StaffOrder(string sort, JsonElement a, JsonElement b)
    {
        static DateTimeOffset Created(JsonElement course) => course.GetProperty("createdAt").GetDateTimeOffset();
        static long Price(JsonElement course) => course.GetProperty("price").GetProperty("amount").GetInt64();
        static string Id(JsonElement course) => course.GetProperty("id").GetGuid().ToString("D");

        var byId = string.CompareOrdinal(Id(a), Id(b));
        return sort switch
        {
            "newest" => FirstNonZero(Created(b).CompareTo(Created(a)), -byId),
            "oldest" => FirstNonZero(Created(a).CompareTo(Created(b)), byId),
            "title" => FirstNonZero(string.CompareOrdinal(Title(a).ToLowerInvariant(), Title(b).ToLowerInvariant()), byId),
            "price" => FirstNonZero(Price(a).CompareTo(Price(b)), byId),
            "-price" => FirstNonZero(Price(b).CompareTo(Price(a)), byId),
            _ => FirstNonZero(
                b.GetProperty("enrollmentCount").GetInt64().CompareTo(a.GetProperty("enrollmentCount").GetInt64()),
                Created(b).CompareTo(Created(a)), byId),
        };
    }

    private static int FirstNonZero(params int[] comparisons) => comparisons.FirstOrDefault(comparison => comparison != 0);

    /// <summary>Every page of a signed-in list, <paramref name="limit"/> at a time, and the total each page reported.</summary>
    private static async Task<(List<JsonElement> Courses, List<long> Totals)> ListAllAsync(HttpClient client, string bearer, string query, int limit)
    {
        var courses = new List<JsonElement>();
        var totals = new List<long>();
        for (var page = 1; ; page++)
        {
            using var response = await client.GetAsync($"/api/education/courses?{query}&limit={limit}&page={page}", bearer);
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            var body = await response.JsonAsync();
            var data = body.GetProperty("data").EnumerateArray().ToList();
            totals.Add(body.GetProperty("pagination").GetProperty("total").GetInt64());
            courses.AddRange(data);
            if (data.Count < limit)
            {
                return (courses, totals);
            }
        }
    }

    private static string Title(JsonElement course) => course.GetProperty("title").GetString()!;

    private static async Task<List<JsonElement>> ListAsync(HttpClient client, string query)
    {
        using var response = await client.GetAsync($"/api/education/courses?{query}");
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return (await response.JsonAsync()).GetProperty("data").EnumerateArray().ToList();
    }
}
