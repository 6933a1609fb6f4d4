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

/// <summary>A lesson in a course's outline. <c>Completed</c> is set only for a learner enrolled in the course (null otherwise).</summary>
public sealed record LessonOutline(Guid Id, int Position, string Title, int DurationSeconds, bool Preview, bool? Completed);

public sealed record CourseDetail(CourseSummary Course, IReadOnlyList<LessonOutline> Lessons);

public sealed record CategoriesResponse(IReadOnlyList<CategoryResponse> Data);

public sealed record CourseWriteRequest(string? Title, string? Slug, string? Description, string? Category, string? Level, Money? Price);

/// <summary>A lesson as its author writes it; on PATCH, null is unchanged and an empty <c>VideoUrl</c> removes the video.</summary>
public sealed record LessonWriteRequest(
    string? Title, int? DurationSeconds, string? ContentRef, int? Position, string? Content = null, string? VideoUrl = null, bool? Preview = null);

public sealed record LessonResponse(
    Guid Id, Guid CourseId, int Position, string Title, int DurationSeconds, string? ContentRef, string Content, string? VideoUrl, bool Preview);

public sealed record DeleteCourseResponse(Guid Id, string Outcome);

public sealed record Progress(int CompletedLessons, int TotalLessons, int Percent);

public sealed record EnrollmentResponse(
    Guid Id, CourseRefForLearner Course, string Status, Progress Progress, DateTimeOffset EnrolledAt, DateTimeOffset? CompletedAt);

public sealed record CourseRefForLearner(Guid Id, string Slug, string Title);
