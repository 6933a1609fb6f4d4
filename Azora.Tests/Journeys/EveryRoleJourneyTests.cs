using System.Net;
using System.Security.Cryptography;
using Azora.Tests.Admin;
using Azora.Tests.Api;
using Azora.Tests.Stack;

namespace Azora.Tests.Journeys;

/// <summary>
/// Every role, from a deployment-like start (Production, an empty database): the operator makes the first admin, who
/// makes an instructor, whose course a learner previews, takes and completes, with a certificate anyone can verify;
/// then a partner's API key manages webhooks, is refused elsewhere, and stops working once revoked.
/// </summary>
[Collection(StackCollection.Name)]
public class EveryRoleJourneyTests(AzoraStackFixture stack)
{
    private const string AdminPassword = "a-harbour-light-at-dusk-2026";

    [Fact]
    public async Task From_an_empty_production_every_role_does_its_part()
    {
        var database = await stack.CreateMigratedDatabaseAsync("everyrole");
        var adminEmail = TestAccounts.NewEmail("operator-made");
        var created = await AdminBootstrapTests.AdminCommandAsync(database, AdminPassword, "admin", "create", "--email", adminEmail, "--name", "Operations", "--password-stdin");
        Assert.True(created.ExitCode == 0, created.Output);
        using var signingKey = RSA.Create(2048);
        await using var api = await ApiInstance.StartAsync(stack, new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Azora:Auth:SigningKeys:0:Pem"] = signingKey.ExportPkcs8PrivateKeyPem(),
        }, databaseConnectionString: database);
        var client = api.Client;

        // The admin grants the instructor role; the instructor's next sign-in carries it.
        var admin = await TestAccounts.LoginAsync(client, adminEmail, AdminPassword);
        var instructorAccount = await TestAccounts.RegisterAsync(client, TestAccounts.NewEmail("instructor"), name: "Grace Hopper");
        using (var granted = await client.SendJsonAsync(HttpMethod.Put, $"/api/admin/users/{instructorAccount.UserId}/roles", new { roles = new[] { "instructor" } }, admin.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, granted.StatusCode);
        }

        var instructor = await TestAccounts.LoginAsync(client, instructorAccount.Email);

        // A free course with a preview lesson and a lesson for enrolled learners, published.
        var course = await Courses.CreateAsync(client, instructor, lessons: 2, publish: false);
        await WriteLessonAsync(client, instructor, course, 0, new { content = "# Welcome\nWhat this course covers.", preview = true });
        await WriteLessonAsync(client, instructor, course, 1, new { content = "The lesson itself.", videoUrl = "https://videos.azora.world/lesson-2.mp4" });
        using (var published = await client.PostJsonAsync($"/api/education/courses/{course.Id}/publish", new { }, instructor.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        }

        // Anyone reads the preview; the rest needs an enrollment.
        using (var preview = await client.GetAsync(LessonPath(course, 0)))
        {
            Assert.Equal("# Welcome\nWhat this course covers.", (await preview.JsonAsync()).GetProperty("content").GetString());
        }

        using (var anonymous = await client.GetAsync(LessonPath(course, 1)))
        {
            await ProblemAssert.IsProblemAsync(anonymous, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }

        var learner = await TestAccounts.RegisterAsync(client, TestAccounts.NewEmail("learner"), name: "Ada Lovelace");
        using (var notEnrolled = await client.GetAsync(LessonPath(course, 1), learner.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(notEnrolled, HttpStatusCode.Forbidden, "NOT_ENROLLED");
        }

        // The learner enrolls, reads, completes, and gets a certificate an employer can verify without signing in.
        using (var enrolled = await client.PostJsonAsync($"/api/education/courses/{course.Id}/enroll", new { }, learner.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Created, enrolled.StatusCode);
        }

        using (var lesson = await client.GetAsync(LessonPath(course, 1), learner.AccessToken))
        {
            Assert.Equal("The lesson itself.", (await lesson.JsonAsync()).GetProperty("content").GetString());
        }

        foreach (var lessonId in course.LessonIds)
        {
            using var completed = await client.PostJsonAsync($"/api/education/courses/{course.Id}/lessons/{lessonId}/complete", new { }, learner.AccessToken);
            Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
        }

        using var mine = await client.GetAsync("/api/education/certificates", learner.AccessToken);
        var certificate = Assert.Single((await mine.JsonAsync()).GetProperty("data").EnumerateArray());
        using (var verified = await client.GetAsync($"/api/certificates/{certificate.GetProperty("id").GetGuid()}"))
        {
            var text = await verified.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, verified.StatusCode);
            Assert.Contains("\"learnerName\":\"Ada Lovelace\"", text);
            Assert.DoesNotContain(learner.Email, text);
        }

        // A partner integration: a key that manages webhooks and nothing else, until it is revoked.
        using var keyCreated = await client.PostJsonAsync("/api/auth/api-keys", new { name = "LMS sync", scopes = new[] { "webhooks:manage" } }, instructor.AccessToken);
        Assert.Equal(HttpStatusCode.Created, keyCreated.StatusCode);
        var keyBody = await keyCreated.JsonAsync();
        var key = keyBody.GetProperty("key").GetString()!;
        using (var subscribed = await client.PostJsonAsync("/api/webhooks", new { url = "https://1.1.1.1/azora-hooks", events = new[] { "course.completed" } }, key))
        {
            Assert.Equal(HttpStatusCode.Created, subscribed.StatusCode);
        }

        using (var authoring = await client.PostJsonAsync("/api/education/courses", new { title = "By key", description = "x", category = "programming", level = "beginner" }, key))
        {
            await ProblemAssert.IsProblemAsync(authoring, HttpStatusCode.Forbidden, "INSUFFICIENT_SCOPE");
        }

        using (var profile = await client.GetAsync("/api/auth/profile", key))
        {
            await ProblemAssert.IsProblemAsync(profile, HttpStatusCode.Forbidden, "API_KEY_NOT_ACCEPTED");
        }

        using (var revoked = await client.SendJsonAsync(HttpMethod.Delete, $"/api/auth/api-keys/{keyBody.GetProperty("id").GetGuid()}", null, instructor.AccessToken))
        {
            Assert.True(revoked.IsSuccessStatusCode, $"Revoking answered {(int)revoked.StatusCode}");
        }

        using (var afterRevocation = await client.GetAsync("/api/webhooks", key))
        {
            await ProblemAssert.IsProblemAsync(afterRevocation, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        }
    }

    private static string LessonPath(TestCourse course, int index) => $"/api/education/courses/{course.Id}/lessons/{course.LessonIds[index]}";

    private static async Task WriteLessonAsync(HttpClient client, SignedIn author, TestCourse course, int index, object content)
    {
        using var written = await client.SendJsonAsync(HttpMethod.Patch, LessonPath(course, index), content, author.AccessToken);
        Assert.True(written.StatusCode == HttpStatusCode.OK, $"Writing the lesson answered {(int)written.StatusCode}: {await written.Content.ReadAsStringAsync()}");
    }
}
