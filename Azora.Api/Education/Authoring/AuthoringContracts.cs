using System.ComponentModel.DataAnnotations;
using Azora.Api.Education.Catalog;
using Azora.Api.Education.Lessons;
using Azora.Api.OpenApi;

namespace Azora.Api.Education.Authoring;

/// <summary>A course's fields as the handlers validate them: every one optional (a create checks the ones it needs).</summary>
public sealed record CourseChanges(string? Title, string? Slug, string? Description, string? Category, string? Level, Money? Price);

/// <summary>A lesson's fields as the handlers validate them; null is unchanged and an empty <c>VideoUrl</c> removes the video.</summary>
public sealed record LessonChanges(
    string? Title, int? DurationSeconds, string? ContentRef, int? Position, string? Content = null, string? VideoUrl = null, bool? Preview = null);

/// <summary>A new course: a slug is made from the title when left out; a price of 0 makes it free.</summary>
public sealed record CreateCourseRequest(
    [property: Required, MaxLength(AuthoringEndpoints.MaximumTitleLength)] string? Title,
    [property: MaxLength(CourseAuthoring.MaximumSlugLength)] string? Slug,
    [property: MaxLength(AuthoringEndpoints.MaximumDescriptionLength)] string? Description,
    [property: Required] string? Category,
    [property: Required, ClosedSet(typeof(CourseLevels))] string? Level,
    [property: Required] Money? Price) : IOpenApiExample<CreateCourseRequest>
{
    public static CreateCourseRequest Example { get; } = new(
        "Introduction to SQL", null, "Query, join and aggregate relational data with PostgreSQL.", "data", "beginner", new Money(4900, "USD"));

    public CourseChanges ToChanges() => new(Title, Slug, Description, Category, Level, Price);
}

/// <summary>Changes to a course: a field left out or null is unchanged.</summary>
public sealed record UpdateCourseRequest(
    [property: MaxLength(AuthoringEndpoints.MaximumTitleLength)] string? Title,
    [property: MaxLength(CourseAuthoring.MaximumSlugLength)] string? Slug,
    [property: MaxLength(AuthoringEndpoints.MaximumDescriptionLength)] string? Description,
    string? Category,
    [property: ClosedSet(typeof(CourseLevels))] string? Level,
    Money? Price) : IOpenApiExample<UpdateCourseRequest>
{
    public static UpdateCourseRequest Example { get; } = new(null, null, null, null, "intermediate", new Money(5900, "USD"));

    public CourseChanges ToChanges() => new(Title, Slug, Description, Category, Level, Price);
}

/// <summary>A new lesson: at <c>position</c> (default: last), Markdown <c>content</c>, an https <c>videoUrl</c>.</summary>
public sealed record CreateLessonRequest(
    [property: Required, MaxLength(AuthoringEndpoints.MaximumTitleLength)] string? Title,
    [property: Range(0, AuthoringEndpoints.MaximumLessonSeconds)] int? DurationSeconds,
    [property: MaxLength(AuthoringEndpoints.MaximumContentRefLength)] string? ContentRef,
    [property: Range(1, int.MaxValue)] int? Position,
    [property: MaxLength(LessonContentRules.MaximumContentLength)] string? Content = null,
    [property: MaxLength(LessonContentRules.MaximumVideoUrlLength)] string? VideoUrl = null,
    bool? Preview = null) : IOpenApiExample<CreateLessonRequest>
{
    public static CreateLessonRequest Example { get; } = new(
        "Your first SELECT", 420, null, null, "# SELECT\n\nEvery query starts with `SELECT`.", "https://video.azora.world/sql/1.mp4", true);

    public LessonChanges ToChanges() => new(Title, DurationSeconds, ContentRef, Position, Content, VideoUrl, Preview);
}

/// <summary>Changes to a lesson: a field left out or null is unchanged; an empty <c>videoUrl</c> removes the video.</summary>
public sealed record UpdateLessonRequest(
    [property: MaxLength(AuthoringEndpoints.MaximumTitleLength)] string? Title,
    [property: Range(0, AuthoringEndpoints.MaximumLessonSeconds)] int? DurationSeconds,
    [property: MaxLength(AuthoringEndpoints.MaximumContentRefLength)] string? ContentRef,
    [property: Range(1, int.MaxValue)] int? Position,
    [property: MaxLength(LessonContentRules.MaximumContentLength)] string? Content = null,
    [property: MaxLength(LessonContentRules.MaximumVideoUrlLength)] string? VideoUrl = null,
    bool? Preview = null) : IOpenApiExample<UpdateLessonRequest>
{
    public static UpdateLessonRequest Example { get; } = new(null, null, null, 1);

    public LessonChanges ToChanges() => new(Title, DurationSeconds, ContentRef, Position, Content, VideoUrl, Preview);
}

public sealed record LessonResponse(
    Guid Id, Guid CourseId, int Position, string Title, int DurationSeconds, string? ContentRef, string Content, string? VideoUrl, bool Preview);

public sealed record DeleteCourseResponse(Guid Id, [property: ClosedSet(typeof(DeleteCourseResponse), nameof(DeleteCourseResponse.Outcomes))] string Outcome)
{
    /// <summary>Deleted outright, or archived because someone is enrolled.</summary>
    public static readonly string[] Outcomes = ["deleted", "archived"];
}
