using System.Text.Json;
using Azora.EndToEnd.Support;
using Xunit.Abstractions;

namespace Azora.EndToEnd.Journeys;

public sealed class CatalogJourney(AzoraTarget target, ITestOutputHelper output) : Journey(target, output)
{
    /// <summary>
    /// What holds for any catalog, an empty one too: a new production has no courses (the sample catalog is never
    /// seeded there), and the smoke run must not fail the first release for it.
    /// </summary>
    [Fact]
    [Trait("Category", "Smoke")]
    public Task A_visitor_reads_the_catalog_and_its_categories_whatever_they_hold() => RunAsync(async api =>
    {
        const int limit = 5;
        var firstPage = (await api.GetAsync($"/api/education/courses?page=1&limit={limit}")).Expect(200).Json;
        var pagination = firstPage.GetProperty("pagination");
        var total = pagination.GetProperty("total").GetInt32();
        var courses = firstPage.GetProperty("data").EnumerateArray().ToList();
        Assert.True(total >= 0, $"total {total}");
        if (Target.IsLocalProduction)
        {
            // The case this journey must survive: a new production, never seeded.
            Assert.Equal(0, total);
        }

        Assert.Equal(Math.Min(limit, total), courses.Count);
        Assert.Equal(1, pagination.GetProperty("page").GetInt32());
        Assert.Equal(limit, pagination.GetProperty("limit").GetInt32());
        Assert.Equal((total + limit - 1) / limit, pagination.GetProperty("pages").GetInt32());

        var categories = (await api.GetAsync("/api/education/categories")).Expect(200).Json.GetProperty("data").EnumerateArray()
            .Select(item => item.GetProperty("slug").GetString()).ToList();
        Assert.All(courses, course => Assert.Contains(course.GetProperty("category").GetProperty("slug").GetString(), categories));

        // A word no course has finds nothing, and a course that does not exist is a 404 problem.
        var nothing = (await api.GetAsync($"/api/education/courses?q=zq{Guid.NewGuid():N}")).Expect(200).Json;
        Assert.Empty(nothing.GetProperty("data").EnumerateArray());
        Assert.Equal(0, nothing.GetProperty("pagination").GetProperty("total").GetInt32());
        (await api.GetAsync($"/api/education/courses/no-such-course-{Guid.NewGuid():N}")).ExpectProblem(404, "NOT_FOUND");
    });

    /// <summary>Needs courses (the local stack's sample catalog, staging's): not part of the production smoke run.</summary>
    [Fact]
    public Task A_visitor_pages_through_the_catalog_searches_it_and_opens_a_course_and_the_categories() => RunAsync(async api =>
    {
        const int limit = 5;
        var firstPage = (await api.GetAsync($"/api/education/courses?page=1&limit={limit}")).Expect(200).Json;
        var pagination = firstPage.GetProperty("pagination");
        var total = pagination.GetProperty("total").GetInt32();
        var courses = firstPage.GetProperty("data").EnumerateArray().ToList();
        Assert.NotEmpty(courses);
        Assert.Equal(Math.Min(limit, total), courses.Count);
        Assert.Equal(1, pagination.GetProperty("page").GetInt32());
        Assert.Equal(limit, pagination.GetProperty("limit").GetInt32());
        Assert.Equal((total + limit - 1) / limit, pagination.GetProperty("pages").GetInt32());

        if (total > limit)
        {
            var secondPage = (await api.GetAsync($"/api/education/courses?page=2&limit={limit}")).Expect(200).Json;
            var secondIds = secondPage.GetProperty("data").EnumerateArray().Select(Id).ToList();
            Assert.NotEmpty(secondIds);
            Assert.Empty(secondIds.Intersect(courses.Select(Id)));
        }

        // A word of a listed course's title finds that course.
        var course = courses[0];
        var word = course.GetProperty("title").GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries).MaxBy(part => part.Length)!;
        var found = (await api.GetAsync($"/api/education/courses?q={Uri.EscapeDataString(word)}&limit=100")).Expect(200).Json;
        Assert.Contains(Id(course), found.GetProperty("data").EnumerateArray().Select(Id));

        var opened = (await api.GetAsync($"/api/education/courses/{course.GetProperty("slug").GetString()}")).Expect(200).Json;
        Assert.Equal(Id(course), Id(opened.GetProperty("course")));
        var positions = opened.GetProperty("lessons").EnumerateArray().Select(lesson => lesson.GetProperty("position").GetInt32()).ToList();
        Assert.Equal(Enumerable.Range(1, course.GetProperty("lessonCount").GetInt32()), positions);

        var categories = (await api.GetAsync("/api/education/categories")).Expect(200).Json.GetProperty("data").EnumerateArray().ToList();
        var category = course.GetProperty("category").GetProperty("slug").GetString()!;
        Assert.Contains(category, categories.Select(item => item.GetProperty("slug").GetString()));
        var inCategory = (await api.GetAsync($"/api/education/courses?category={category}&limit=100")).Expect(200).Json.GetProperty("data").EnumerateArray().ToList();
        Assert.Contains(Id(course), inCategory.Select(Id));
        Assert.All(inCategory, item => Assert.Equal(category, item.GetProperty("category").GetProperty("slug").GetString()));

        (await api.GetAsync($"/api/education/courses/no-such-course-{Guid.NewGuid():N}")).ExpectProblem(404, "NOT_FOUND");
    });

    private static Guid Id(JsonElement course) => course.GetProperty("id").GetGuid();
}
