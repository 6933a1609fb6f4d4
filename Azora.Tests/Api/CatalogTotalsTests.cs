using System.Net;
using Azora.Tests.Stack;

namespace Azora.Tests.Api;

/// <summary>
/// The unfiltered list's total comes from catalog_totals, which triggers on courses keep equal to the courses (admin) and
/// the listed ones (everyone; an instructor adds their own drafts and archived courses), through creation, publishing,
/// unpublishing, archiving and deletion.
/// </summary>
[Collection(StackCollection.Name)]
public class CatalogTotalsTests(AzoraStackFixture stack)
{
    private const string Listed = "published AND archived_at IS NULL";

    [Fact]
    public async Task The_unfiltered_totals_follow_every_change_of_a_courses_listing()
    {
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");
        var before = await TotalsAsync(instructor);

        var draft = await Courses.CreateAsync(client, instructor, lessons: 1, publish: false);
        Assert.Equal(before with { All = before.All + 1, Instructor = before.Instructor + 1 }, await TotalsAsync(instructor));

        // Someone else's draft is not the instructor's to see.
        var othersDraft = await Courses.CreateAsync(client, admin, lessons: 1, publish: false);
        Assert.Equal(before with { All = before.All + 2, Instructor = before.Instructor + 1 }, await TotalsAsync(instructor));

        await PostAsync($"/api/education/courses/{draft.Id}/publish", instructor);
        Assert.Equal(
            before with { All = before.All + 2, Listed = before.Listed + 1, Instructor = before.Instructor + 1 }, await TotalsAsync(instructor));

        await PostAsync($"/api/education/courses/{draft.Id}/unpublish", instructor);
        await PostAsync($"/api/education/courses/{draft.Id}/publish", instructor);
        Assert.Equal(
            before with { All = before.All + 2, Listed = before.Listed + 1, Instructor = before.Instructor + 1 }, await TotalsAsync(instructor));

        // Deleting a course someone enrolled in archives it: it stays a course, no longer listed, still the instructor's.
        var learner = await TestAccounts.RegisterVerifiedAsync(stack, client);
        using (var enrolled = await client.PostJsonAsync($"/api/education/courses/{draft.Id}/enroll", new { }, learner.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Created, enrolled.StatusCode);
        }

        Assert.Equal("archived", await DeleteAsync(draft, instructor));
        Assert.Equal(before with { All = before.All + 2, Instructor = before.Instructor + 1 }, await TotalsAsync(instructor));

        Assert.Equal("deleted", await DeleteAsync(othersDraft, admin));
        Assert.Equal(before with { All = before.All + 1, Instructor = before.Instructor + 1 }, await TotalsAsync(instructor));
    }

    private sealed record Totals(long All, long Listed, long Instructor);

    /// <summary>The totals the API reports to an admin, to anyone and to the instructor, each checked against the courses themselves.</summary>
    private async Task<Totals> TotalsAsync(SignedIn instructor)
    {
        using var client = stack.CreateApiClient();
        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");
        var all = await TotalAsync(client, admin.AccessToken);
        Assert.Equal(await stack.CountAsync("SELECT count(*) FROM courses"), all);
        var listed = await TotalAsync(client, null);
        Assert.Equal(await stack.CountAsync($"SELECT count(*) FROM courses WHERE {Listed}"), listed);
        var own = await TotalAsync(client, instructor.AccessToken);
        Assert.Equal(await stack.CountAsync($"SELECT count(*) FROM courses WHERE {Listed} OR instructor_id = @id", new { id = instructor.UserId }), own);
        return new Totals(all, listed, own);
    }

    private static async Task<long> TotalAsync(HttpClient client, string? bearer)
    {
        // A page past the end that nobody asked for before, so an anonymous answer cannot come from the shared cache.
        var path = $"/api/education/courses?page={Random.Shared.Next(500_000, 1_000_000)}&limit=1";
        using var response = await client.SendJsonAsync(HttpMethod.Get, path, null, bearer);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Age is not null, "The total came from the cache.");
        return (await response.JsonAsync()).GetProperty("pagination").GetProperty("total").GetInt64();
    }

    private async Task PostAsync(string path, SignedIn author)
    {
        using var client = stack.CreateApiClient();
        using var response = await client.PostJsonAsync(path, new { }, author.AccessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private async Task<string?> DeleteAsync(TestCourse course, SignedIn author)
    {
        using var client = stack.CreateApiClient();
        using var response = await client.SendJsonAsync(HttpMethod.Delete, $"/api/education/courses/{course.Id}", null, author.AccessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.JsonAsync()).GetProperty("outcome").GetString();
    }
}
