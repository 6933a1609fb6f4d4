using Azora.EndToEnd.Support;
using Xunit.Abstractions;

namespace Azora.EndToEnd.Journeys;

public sealed class LearningJourney(AzoraTarget target, ITestOutputHelper output) : Journey(target, output)
{
    [Fact]
    public Task A_learner_enrolls_in_a_free_course_and_completing_every_lesson_completes_the_enrollment() => RunAsync(async api =>
    {
        var learner = await Accounts.RegisterAsync(api);
        var free = (await api.GetAsync("/api/education/courses?free=true&limit=1")).Expect(200).Json.GetProperty("data").EnumerateArray().First();
        Assert.True(free.GetProperty("isFree").GetBoolean());
        var courseId = free.GetProperty("id").GetGuid();
        var lessons = (await api.GetAsync($"/api/education/courses/{courseId}")).Expect(200).Json.GetProperty("lessons")
            .EnumerateArray().Select(lesson => lesson.GetProperty("id").GetGuid()).ToList();
        Assert.NotEmpty(lessons);

        var enrollment = (await api.PostAsync($"/api/education/courses/{courseId}/enroll", bearer: learner.AccessToken)).Expect(201).Json;
        Assert.Equal("active", enrollment.GetProperty("status").GetString());
        Assert.Equal(0, enrollment.GetProperty("progress").GetProperty("completedLessons").GetInt32());
        Assert.Equal(lessons.Count, enrollment.GetProperty("progress").GetProperty("totalLessons").GetInt32());

        foreach (var (lessonId, done) in lessons.Select((id, index) => (id, index + 1)))
        {
            enrollment = (await api.PostAsync($"/api/education/courses/{courseId}/lessons/{lessonId}/complete", bearer: learner.AccessToken)).Expect(200).Json;
            Assert.Equal(done, enrollment.GetProperty("progress").GetProperty("completedLessons").GetInt32());
        }

        Assert.Equal("completed", enrollment.GetProperty("status").GetString());
        Assert.Equal(100, enrollment.GetProperty("progress").GetProperty("percent").GetInt32());
        Assert.NotNull(enrollment.GetProperty("completedAt").GetString());

        var mine = (await api.GetAsync("/api/education/enrollments", learner.AccessToken)).Expect(200).Json.GetProperty("data").EnumerateArray().Single();
        Assert.Equal(enrollment.GetProperty("id").GetGuid(), mine.GetProperty("id").GetGuid());
        Assert.Equal("completed", mine.GetProperty("status").GetString());
        Assert.Equal(100, mine.GetProperty("progress").GetProperty("percent").GetInt32());
    });
}
