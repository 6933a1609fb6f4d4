using Azora.Api.OpenApi;

namespace Azora.Api.Education.Learning;

public sealed record Progress(int CompletedLessons, int TotalLessons, int Percent);

public sealed record EnrollmentResponse(
    Guid Id, CourseRefForLearner Course, [property: ClosedSet(typeof(EnrollmentResponse), nameof(EnrollmentResponse.Statuses))] string Status, Progress Progress, DateTimeOffset EnrolledAt, DateTimeOffset? CompletedAt)
{
    /// <summary>Learning; every lesson done; or taken back (a refund).</summary>
    public static readonly string[] Statuses = ["active", "completed", "revoked"];
}

public sealed record CourseRefForLearner(Guid Id, string Slug, string Title);
