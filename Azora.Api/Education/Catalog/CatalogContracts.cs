using Azora.Api.OpenApi;

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
    [property: ClosedSet(typeof(CourseLevels))] string Level,
    Money Price,
    bool IsFree,
    InstructorRef Instructor,
    long EnrollmentCount,
    int LessonCount,
    int DurationSeconds,
    bool Published,
    DateTimeOffset? ArchivedAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt) : IOpenApiExample<CourseSummary>
{
    private static readonly DateTimeOffset Created = new(2026, 9, 1, 9, 30, 0, TimeSpan.Zero);

    public static CourseSummary Example { get; } = new(
        Guid.Parse("3f1c2a9e-5b7d-4c8e-9a61-2d4f8b0e7c15"), "intro-to-sql", "Introduction to SQL",
        "Query, join and aggregate relational data with PostgreSQL.",
        new CategoryRef(Guid.Parse("0b9d6c1e-2f4a-4e8b-8c3d-5a7e9f1b2c4d"), "data", "Data"), "beginner",
        new Money(4900, "USD"), false, new InstructorRef(Guid.Parse("7a2e4c6b-8d1f-4a3e-9b5c-1e3d5f7a9b2c"), "Ada Instructor"),
        128, 12, 5400, true, null, Created, Created.AddDays(3));
}

/// <summary>A lesson in a course's outline. <c>Completed</c> is set only for a learner enrolled in the course (null otherwise).</summary>
public sealed record LessonOutline(Guid Id, int Position, string Title, int DurationSeconds, bool Preview, bool? Completed);

public sealed record CourseDetail(CourseSummary Course, IReadOnlyList<LessonOutline> Lessons) : IOpenApiExample<CourseDetail>
{
    public static CourseDetail Example { get; } = new(CourseSummary.Example,
    [
        new LessonOutline(Guid.Parse("c4e6a8b0-1d3f-4a5c-8e7b-9d1f3a5c7e9b"), 1, "Your first SELECT", 420, true, null),
        new LessonOutline(Guid.Parse("d5f7b9c1-2e4a-4b6d-9f8c-0e2a4b6d8f0a"), 2, "Filtering with WHERE", 540, false, null),
    ]);
}

public sealed record CategoriesResponse(IReadOnlyList<CategoryResponse> Data);
