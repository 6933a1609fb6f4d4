namespace Azora.Api.Education.Learning;

public sealed record Progress(int CompletedLessons, int TotalLessons, int Percent);

public sealed record EnrollmentResponse(
    Guid Id, CourseRefForLearner Course, string Status, Progress Progress, DateTimeOffset EnrolledAt, DateTimeOffset? CompletedAt);

public sealed record CourseRefForLearner(Guid Id, string Slug, string Title);
