using System.Net;
using Azora.Tests.Stack;

namespace Azora.Tests.Api;

[Collection(StackCollection.Name)]
public class LearningTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task Enrolling_in_a_free_course_twice_gives_one_enrollment()
    {
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var course = await Courses.CreateAsync(client, instructor);
        var learner = await TestAccounts.RegisterAsync(client);

        using var first = await client.PostJsonAsync($"/api/education/courses/{course.Id}/enroll", new { }, learner.AccessToken);
        using var second = await client.PostJsonAsync($"/api/education/courses/{course.Id}/enroll", new { }, learner.AccessToken);

        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var enrollment = await first.JsonAsync();
        Assert.Equal(enrollment.GetProperty("id").GetGuid(), (await second.JsonAsync()).GetProperty("id").GetGuid());
        Assert.Equal("active", enrollment.GetProperty("status").GetString());
        Assert.Equal(3, enrollment.GetProperty("progress").GetProperty("totalLessons").GetInt32());
        Assert.Equal(1, await OutboxCountAsync("course.enrolled", enrollment.GetProperty("id").GetGuid()));
    }

    [Fact]
    public async Task Fifty_parallel_enrolls_make_exactly_one_enrollment_and_no_server_error()
    {
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var course = await Courses.CreateAsync(client, instructor);
        var learner = await TestAccounts.RegisterAsync(client);

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(async _ =>
        {
            using var response = await client.PostJsonAsync($"/api/education/courses/{course.Id}/enroll", new { }, learner.AccessToken);
            return (response.StatusCode, Id: (await response.JsonAsync()).GetProperty("id").GetGuid());
        }));

        Assert.Single(responses, response => response.StatusCode == HttpStatusCode.Created);
        Assert.All(responses, response => Assert.Contains(response.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.OK }));
        Assert.Single(responses.Select(response => response.Id).Distinct());
        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM enrollments WHERE course_id = @id", new { id = course.Id }));
        Assert.Equal(1, await OutboxCountAsync("course.enrolled", responses[0].Id));
    }

    [Fact]
    public async Task A_paid_course_asks_for_payment_and_unknown_or_draft_courses_are_not_found()
    {
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var paid = await Courses.CreateAsync(client, instructor, price: 4900);
        var draft = await Courses.CreateAsync(client, instructor, publish: false);
        var learner = await TestAccounts.RegisterAsync(client);

        using (var payment = await client.PostJsonAsync($"/api/education/courses/{paid.Id}/enroll", new { }, learner.AccessToken))
        {
            var problem = await ProblemAssert.IsProblemAsync(payment, HttpStatusCode.PaymentRequired, "PAYMENT_REQUIRED");
            Assert.Contains("/api/pay/payment-intent", problem.GetProperty("detail").GetString());
        }

        foreach (var id in new[] { draft.Id, Guid.NewGuid() })
        {
            using var missing = await client.PostJsonAsync($"/api/education/courses/{id}/enroll", new { }, learner.AccessToken);
            await ProblemAssert.IsProblemAsync(missing, HttpStatusCode.NotFound, "NOT_FOUND");
        }

        using var anonymous = await client.PostJsonAsync($"/api/education/courses/{paid.Id}/enroll", new { });
        await ProblemAssert.IsProblemAsync(anonymous, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        Assert.Equal(0, await stack.CountAsync("SELECT count(*) FROM enrollments WHERE course_id = @id", new { id = paid.Id }));
    }

    [Fact]
    public async Task Completing_every_lesson_completes_the_enrollment_and_records_one_event()
    {
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var course = await Courses.CreateAsync(client, instructor, lessons: 3);
        var learner = await TestAccounts.RegisterAsync(client);
        using var enrolled = await client.PostJsonAsync($"/api/education/courses/{course.Id}/enroll", new { }, learner.AccessToken);
        var enrollmentId = (await enrolled.JsonAsync()).GetProperty("id").GetGuid();

        var percents = new List<int>();
        foreach (var lessonId in course.LessonIds.Append(course.LessonIds[0]))
        {
            using var done = await client.PostJsonAsync($"/api/education/courses/{course.Id}/lessons/{lessonId}/complete", new { }, learner.AccessToken);
            Assert.Equal(HttpStatusCode.OK, done.StatusCode);
            percents.Add((await done.JsonAsync()).GetProperty("progress").GetProperty("percent").GetInt32());
        }

        Assert.Equal([33, 66, 100, 100], percents);
        Assert.Equal(1, await OutboxCountAsync("course.completed", enrollmentId));

        using var mine = await client.GetAsync("/api/education/enrollments", learner.AccessToken);
        var listed = (await mine.JsonAsync()).GetProperty("data").EnumerateArray().Single();
        Assert.Equal("completed", listed.GetProperty("status").GetString());
        Assert.Equal(course.Id, listed.GetProperty("course").GetProperty("id").GetGuid());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, listed.GetProperty("completedAt").ValueKind);
    }

    [Fact]
    public async Task Parallel_completion_of_the_last_lessons_records_course_completed_once()
    {
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var course = await Courses.CreateAsync(client, instructor, lessons: 5);
        var learner = await TestAccounts.RegisterAsync(client);
        using var enrolled = await client.PostJsonAsync($"/api/education/courses/{course.Id}/enroll", new { }, learner.AccessToken);
        var enrollmentId = (await enrolled.JsonAsync()).GetProperty("id").GetGuid();

        var statuses = await Task.WhenAll(course.LessonIds.Concat(course.LessonIds).Select(async lessonId =>
        {
            using var done = await client.PostJsonAsync($"/api/education/courses/{course.Id}/lessons/{lessonId}/complete", new { }, learner.AccessToken);
            return done.StatusCode;
        }));

        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.OK, status));
        Assert.Equal(1, await OutboxCountAsync("course.completed", enrollmentId));
        Assert.Equal(5, await stack.CountAsync("SELECT count(*) FROM lesson_completions WHERE enrollment_id = @id", new { id = enrollmentId }));
    }

    [Fact]
    public async Task Lessons_need_an_enrollment_and_must_belong_to_the_course()
    {
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var course = await Courses.CreateAsync(client, instructor);
        var other = await Courses.CreateAsync(client, instructor);
        var learner = await TestAccounts.RegisterAsync(client);

        using (var notEnrolled = await client.PostJsonAsync($"/api/education/courses/{course.Id}/lessons/{course.LessonIds[0]}/complete", new { }, learner.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(notEnrolled, HttpStatusCode.Forbidden, "NOT_ENROLLED");
        }

        using var enrolled = await client.PostJsonAsync($"/api/education/courses/{course.Id}/enroll", new { }, learner.AccessToken);
        using var foreign = await client.PostJsonAsync($"/api/education/courses/{course.Id}/lessons/{other.LessonIds[0]}/complete", new { }, learner.AccessToken);
        await ProblemAssert.IsProblemAsync(foreign, HttpStatusCode.NotFound, "NOT_FOUND");
        using var badId = await client.PostJsonAsync($"/api/education/courses/{course.Id}/lessons/not-a-guid/complete", new { }, learner.AccessToken);
        await ProblemAssert.IsProblemAsync(badId, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task My_enrollments_are_paginated_newest_first()
    {
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var learner = await TestAccounts.RegisterAsync(client);
        var courses = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            var course = await Courses.CreateAsync(client, instructor, lessons: 1);
            using var _ = await client.PostJsonAsync($"/api/education/courses/{course.Id}/enroll", new { }, learner.AccessToken);
            courses.Add(course.Id);
        }

        using var page = await client.GetAsync("/api/education/enrollments?limit=2&page=1", learner.AccessToken);
        var body = await page.JsonAsync();
        Assert.Equal([courses[2], courses[1]], body.GetProperty("data").EnumerateArray().Select(e => e.GetProperty("course").GetProperty("id").GetGuid()));
        Assert.Equal(3, body.GetProperty("pagination").GetProperty("total").GetInt64());
        Assert.Equal(2, body.GetProperty("pagination").GetProperty("pages").GetInt64());

        using var bad = await client.GetAsync("/api/education/enrollments?limit=500", learner.AccessToken);
        await ProblemAssert.IsValidationProblemAsync(bad, "limit");
    }

    private Task<long> OutboxCountAsync(string type, Guid enrollmentId) =>
        stack.CountAsync("SELECT count(*) FROM outbox_events WHERE type = @type AND payload->>'enrollmentId' = @enrollmentId::text", new { type, enrollmentId });
}
