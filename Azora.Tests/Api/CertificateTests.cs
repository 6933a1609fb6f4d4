using System.Net;
using System.Text.Json;
using Azora.Tests.Stack;

namespace Azora.Tests.Api;

/// <summary>Completing a course issues one certificate, listed for its holder and verifiable by anyone without personal data.</summary>
[Collection(StackCollection.Name)]
public class CertificateTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task Completing_a_course_issues_one_certificate_that_keeps_the_name_and_title_of_that_day_and_verifies_publicly()
    {
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var title = $"Certified {Guid.NewGuid():N}";
        var course = await Courses.CreateAsync(client, instructor, lessons: 2, title: title);
        var name = $"Grace Hopper {Guid.NewGuid():N}"[..40];
        var learner = await TestAccounts.RegisterAsync(client, name: name);
        using (await client.PostJsonAsync($"/api/education/courses/{course.Id}/enroll", new { }, learner.AccessToken))
        {
        }

        await CompleteAsync(client, course, learner, course.LessonIds[0]);
        Assert.Equal(0, (await MineAsync(client, learner)).GetProperty("pagination").GetProperty("total").GetInt64());
        await CompleteAsync(client, course, learner, course.LessonIds[1]);
        await CompleteAsync(client, course, learner, course.LessonIds[1]);
        await CompleteAsync(client, course, learner, course.LessonIds[0]);

        // Later changes to the name and the title do not rewrite what was certified.
        using (var renamed = await client.SendJsonAsync(HttpMethod.Patch, "/api/auth/profile", new { name = "Someone Else" }, learner.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        }

        using (var retitled = await client.SendJsonAsync(HttpMethod.Patch, $"/api/education/courses/{course.Id}", new { title = "Retitled" }, instructor.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, retitled.StatusCode);
        }

        var mine = await MineAsync(client, learner);
        Assert.Equal(1, mine.GetProperty("pagination").GetProperty("total").GetInt64());
        var certificate = mine.GetProperty("data").EnumerateArray().Single();
        Assert.Equal(name, certificate.GetProperty("learnerName").GetString());
        Assert.Equal(title, certificate.GetProperty("courseTitle").GetString());
        Assert.Equal(course.Id, certificate.GetProperty("courseId").GetGuid());
        var id = certificate.GetProperty("id").GetGuid();

        using var verified = await client.GetAsync($"/api/certificates/{id}");
        Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
        var text = await verified.Content.ReadAsStringAsync();
        Assert.DoesNotContain(learner.Email, text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(learner.UserId.ToString(), text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("@", text);
        var shown = JsonDocument.Parse(text).RootElement;
        Assert.Equal(["completedAt", "courseId", "courseTitle", "id", "learnerName"], shown.EnumerateObject().Select(property => property.Name).Order());
        Assert.Equal(name, shown.GetProperty("learnerName").GetString());
        Assert.Equal(certificate.GetProperty("completedAt").GetDateTimeOffset(), shown.GetProperty("completedAt").GetDateTimeOffset());

        // Nobody else holds it.
        var other = await TestAccounts.RegisterAsync(client);
        Assert.Equal(0, (await MineAsync(client, other)).GetProperty("pagination").GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Parallel_completions_of_the_last_lessons_issue_exactly_one_certificate()
    {
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var course = await Courses.CreateAsync(client, instructor, lessons: 4);
        var learner = await TestAccounts.RegisterAsync(client);
        using var enrolled = await client.PostJsonAsync($"/api/education/courses/{course.Id}/enroll", new { }, learner.AccessToken);
        var enrollmentId = (await enrolled.JsonAsync()).GetProperty("id").GetGuid();

        await Task.WhenAll(course.LessonIds.Concat(course.LessonIds).Concat(course.LessonIds).Select(lessonId => CompleteAsync(client, course, learner, lessonId)));

        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM certificates WHERE enrollment_id = @enrollmentId", new { enrollmentId }));
        Assert.Equal(1, (await MineAsync(client, learner)).GetProperty("pagination").GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Unknown_certificates_are_not_found_and_the_list_needs_a_token_and_valid_paging()
    {
        using var client = stack.CreateApiClient();
        foreach (var path in new[] { $"/api/certificates/{Guid.NewGuid()}", "/api/certificates/not-an-id" })
        {
            using var missing = await client.GetAsync(path);
            await ProblemAssert.IsProblemAsync(missing, HttpStatusCode.NotFound, "NOT_FOUND");
        }

        using (var anonymous = await client.GetAsync("/api/education/certificates"))
        {
            await ProblemAssert.IsProblemAsync(anonymous, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }

        var learner = await TestAccounts.RegisterAsync(client);
        using var badPaging = await client.GetAsync("/api/education/certificates?page=0&limit=101", learner.AccessToken);
        await ProblemAssert.IsValidationProblemAsync(badPaging, "page", "limit");
    }

    private static async Task CompleteAsync(HttpClient client, TestCourse course, SignedIn learner, Guid lessonId)
    {
        using var done = await client.PostJsonAsync($"/api/education/courses/{course.Id}/lessons/{lessonId}/complete", new { }, learner.AccessToken);
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
    }

    private static async Task<JsonElement> MineAsync(HttpClient client, SignedIn learner)
    {
        using var response = await client.GetAsync("/api/education/certificates", learner.AccessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }
}
