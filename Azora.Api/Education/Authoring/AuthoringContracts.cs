using Azora.Api.Education.Catalog;

namespace Azora.Api.Education.Authoring;

public sealed record CourseWriteRequest(string? Title, string? Slug, string? Description, string? Category, string? Level, Money? Price);

/// <summary>A lesson as its author writes it; on PATCH, null is unchanged and an empty <c>VideoUrl</c> removes the video.</summary>
public sealed record LessonWriteRequest(
    string? Title, int? DurationSeconds, string? ContentRef, int? Position, string? Content = null, string? VideoUrl = null, bool? Preview = null);

public sealed record LessonResponse(
    Guid Id, Guid CourseId, int Position, string Title, int DurationSeconds, string? ContentRef, string Content, string? VideoUrl, bool Preview);

public sealed record DeleteCourseResponse(Guid Id, string Outcome);
