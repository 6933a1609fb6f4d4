using System.Net;
using Azora.Tests.Stack;

namespace Azora.Tests.Api;

/// <summary>
/// A course's enrollment count (and the popular sort) reads courses.enrollment_count, which triggers on enrollments keep
/// equal to the enrollments that are not revoked, whichever process writes them: the API (free enrollment, completion,
/// account deletion) and the payments worker (paid enrollment, refund).
/// </summary>
[Collection(StackCollection.Name)]
public class CatalogEnrollmentCountTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task The_enrollment_count_follows_enrollments_completions_refunds_and_account_deletion()
    {
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");
        var unique = Guid.NewGuid().ToString("N")[..12];
        var free = await Courses.CreateAsync(client, instructor, lessons: 1, title: $"Popularity {unique} free");
        var paid = await Courses.CreateAsync(client, instructor, price: 2500, lessons: 1, title: $"Popularity {unique} paid");
        Assert.Equal(0, await CountAsync(free, instructor));
        Assert.Equal(0, await CountAsync(paid, instructor));

        // Free: the API's grant, twice for the same learner (one enrollment), then a completion (still counted).
        var first = await TestAccounts.RegisterVerifiedAsync(stack, client);
        var second = await TestAccounts.RegisterVerifiedAsync(stack, client);
        foreach (var learner in new[] { first, second, first })
        {
            using var enrolled = await client.PostJsonAsync($"/api/education/courses/{free.Id}/enroll", new { }, learner.AccessToken);
            Assert.True(enrolled.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, $"Enroll answered {(int)enrolled.StatusCode}"); // OK: already enrolled
        }

        Assert.Equal(2, await CountAsync(free, instructor));
        using (var completed = await client.PostJsonAsync($"/api/education/courses/{free.Id}/lessons/{free.LessonIds[0]}/complete", new { }, first.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
        }

        Assert.Equal("completed", await StatusAsync(first, free));
        Assert.Equal(2, await CountAsync(free, instructor));

        // Paid: the payments worker's grants, then a refund, which revokes one of them.
        var paymentIds = new List<string>();
        foreach (var learner in new[] { first, second })
        {
            using var created = await client.PostJsonAsync("/api/pay/payment-intent", new { courseId = paid.Id }, learner.AccessToken);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var intent = await created.JsonAsync();
            paymentIds.Add(intent.GetProperty("paymentId").GetString()!);
            using var emulator = stack.CreateStripeEmulatorClient();
            using var succeeded = await emulator.PostAsync($"/emulator/payment_intents/{intent.GetProperty("paymentIntentId").GetString()}/succeed", null);
            Assert.Equal(HttpStatusCode.OK, succeeded.StatusCode);
            Assert.Equal("active", await Eventually.ReadAsync(() => StatusAsync(learner, paid), status => status == "active", attempts: 100, TimeSpan.FromMilliseconds(200)));
        }

        Assert.Equal(2, await CountAsync(paid, instructor));
        using (var refund = await client.PostJsonAsync($"/api/pay/payments/{paymentIds[0]}/refund", new { }, admin.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Accepted, refund.StatusCode);
        }

        Assert.Equal("revoked", await Eventually.ReadAsync(() => StatusAsync(first, paid), status => status == "revoked", attempts: 100, TimeSpan.FromMilliseconds(200)));
        Assert.Equal(1, await CountAsync(paid, instructor));

        // Deleting an account keeps its enrollments (anonymised), so they still count.
        using (var deleted = await client.SendJsonAsync(HttpMethod.Delete, "/api/auth/account", new { password = TestAccounts.Password }, second.AccessToken))
        {
            Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        }

        Assert.Equal(2, await CountAsync(free, instructor));
        Assert.Equal(1, await CountAsync(paid, instructor));

        // The popular sort reads the same column: the free course (2) comes before the paid one (1), which is newer.
        using var popular = await client.GetAsync($"/api/education/courses?sort=popular&q={unique}", instructor.AccessToken);
        Assert.Equal(HttpStatusCode.OK, popular.StatusCode);
        var listed = (await popular.JsonAsync()).GetProperty("data").EnumerateArray()
            .Select(course => (course.GetProperty("id").GetGuid(), course.GetProperty("enrollmentCount").GetInt64())).ToList();
        Assert.Equal([(free.Id, 2L), (paid.Id, 1L)], listed);
    }

    /// <summary>
    /// The count the API shows, checked against the enrollments themselves; asked as the instructor, whose reads never
    /// come from the shared cache.
    /// </summary>
    private async Task<long> CountAsync(TestCourse course, SignedIn instructor)
    {
        using var client = stack.CreateApiClient();
        var shown = (await Courses.GetAsync(client, course.Id.ToString(), instructor.AccessToken)).GetProperty("course").GetProperty("enrollmentCount").GetInt64();
        Assert.Equal(
            await stack.CountAsync("SELECT count(*) FROM enrollments WHERE course_id = @id AND status <> 'revoked'", new { id = course.Id }),
            shown);
        return shown;
    }

    private async Task<string?> StatusAsync(SignedIn learner, TestCourse course)
    {
        using var client = stack.CreateApiClient();
        using var response = await client.GetAsync("/api/education/enrollments", learner.AccessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.JsonAsync()).GetProperty("data").EnumerateArray()
            .Where(enrollment => enrollment.GetProperty("course").GetProperty("id").GetGuid() == course.Id)
            .Select(enrollment => enrollment.GetProperty("status").GetString())
            .SingleOrDefault();
    }
}
