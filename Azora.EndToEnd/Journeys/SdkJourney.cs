using Azora.Client;
using Azora.EndToEnd.Support;
using Azora.Testing.Contract;
using Xunit.Abstractions;

namespace Azora.EndToEnd.Journeys;

/// <summary>
/// A partner developer's integration through the .NET SDK, against whichever environment the suite targets, with
/// every response the SDK receives held to the contract. The other journeys speak raw HTTP on purpose: they assert the
/// exact statuses and headers an SDK hides.
/// </summary>
public sealed class SdkJourney(AzoraTarget target, ITestOutputHelper output) : Journey(target, output)
{
    [Fact]
    public async Task A_developer_signs_up_browses_enrolls_and_learns_through_Azora_Client()
    {
        using var http = new HttpClient(new ContractValidatingHandler(new HttpClientHandler())) { BaseAddress = new Uri(Target.BaseUrl + "/") };
        using var client = new AzoraClient(http);

        var session = await client.RegisterAsync(Accounts.NewEmail(), Accounts.Password, "Ada Lovelace");
        Assert.False(string.IsNullOrEmpty(session.AccessToken));
        var profile = await client.GetProfileAsync();
        Assert.Equal("Ada Lovelace", profile.Name);

        var courses = new List<Azora.Client.Generated.Models.CourseSummary>();
        await foreach (var course in client.ListAllCoursesAsync(new CourseFilter { Free = true }, pageSize: 2))
        {
            courses.Add(course);
        }

        Assert.NotEmpty(courses);
        Assert.All(courses, course => Assert.True(course.IsFree));
        Assert.Equal(courses.Count, courses.Select(course => course.Id).Distinct().Count());

        var detail = await client.GetCourseAsync(courses[0].Slug!);
        var enrollment = await client.EnrollAsync(detail.Course!.Id!.Value);
        foreach (var lesson in detail.Lessons!)
        {
            enrollment = await client.CompleteLessonAsync(detail.Course.Id.Value, lesson.Id!.Value);
        }

        Assert.Equal(100, enrollment.Progress!.Percent);
        var certificates = await client.ListCertificatesAsync();
        Assert.Equal(detail.Course.Id, Assert.Single(certificates.Items).CourseId);

        var refusal = await Assert.ThrowsAsync<AzoraApiException>(() => client.ListCoursesAsync(limit: 1000));
        Assert.Equal(400, refusal.Status);
        Assert.Equal("VALIDATION_ERROR", refusal.Code);
        Assert.True(refusal.Errors.ContainsKey("limit"));
        await client.SignOutAsync();
    }
}
