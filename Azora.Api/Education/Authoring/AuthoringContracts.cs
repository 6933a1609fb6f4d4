using Azora.Api.Education.Catalog;

namespace Azora.Api.Education.Authoring;

public sealed record CourseWriteRequest(string? Title, string? Slug, string? Description, string? Category, string? Level, Money? Price);

public sealed record LessonWriteRequest(string? Title, int? DurationSeconds, string? ContentRef, int? Position);

public sealed record LessonResponse(Guid Id, Guid CourseId, int Position, string Title, int DurationSeconds, string? ContentRef);

public sealed record DeleteCourseResponse(Guid Id, string Outcome);
