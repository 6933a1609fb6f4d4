namespace Azora.Api.Education;

public static class CourseLevels
{
    public static readonly string[] All = ["beginner", "intermediate", "advanced"];
}

/// <summary>An amount in minor units of the currency (cents for USD); 0 means free.</summary>
public sealed record Money(long Amount, string Currency);

public sealed record CategoryRef(Guid Id, string Slug, string Name);

public sealed record CategoryResponse(Guid Id, string Slug, string Name, long CourseCount);

public sealed record InstructorRef(Guid Id, string Name);

public sealed record CourseSummary(
    Guid Id,
    string Slug,
    string Title,
    string Description,
    CategoryRef Category,
    string Level,
    Money Price,
    bool IsFree,
    InstructorRef Instructor,
    long EnrollmentCount,
    int LessonCount,
    int DurationSeconds,
    bool Published,
    DateTimeOffset? ArchivedAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

public sealed record LessonOutline(Guid Id, int Position, string Title, int DurationSeconds);

public sealed record CourseDetail(CourseSummary Course, IReadOnlyList<LessonOutline> Lessons);

public sealed record CategoriesResponse(IReadOnlyList<CategoryResponse> Data);

public sealed record CourseWriteRequest(string? Title, string? Slug, string? Description, string? Category, string? Level, Money? Price);

public sealed record LessonWriteRequest(string? Title, int? DurationSeconds, string? ContentRef, int? Position);

public sealed record LessonResponse(Guid Id, Guid CourseId, int Position, string Title, int DurationSeconds, string? ContentRef);

public sealed record DeleteCourseResponse(Guid Id, string Outcome);

public sealed record Progress(int CompletedLessons, int TotalLessons, int Percent);

public sealed record EnrollmentResponse(
    Guid Id, CourseRefForLearner Course, string Status, Progress Progress, DateTimeOffset EnrolledAt, DateTimeOffset? CompletedAt);

public sealed record CourseRefForLearner(Guid Id, string Slug, string Title);
