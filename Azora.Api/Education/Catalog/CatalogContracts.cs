namespace Azora.Api.Education.Catalog;

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
