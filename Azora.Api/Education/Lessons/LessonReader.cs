using Azora.Api.Auth;
using Azora.Api.Common;
using Dapper;
using Npgsql;

namespace Azora.Api.Education.Lessons;

/// <summary>A lesson as a reader sees it: Markdown as the author stored it (render it safely), and the video's URL.</summary>
public sealed record LessonContentResponse(
    Guid Id, Guid CourseId, int Position, string Title, int DurationSeconds, bool Preview, string Content, string? VideoUrl, bool? Completed);

public enum LessonAccess { Granted, NotFound, SignInRequired, NotEnrolled }

/// <summary>
/// Who may read a lesson: the course's instructor and admins; a learner with an enrollment that is not revoked (even
/// after the course was unpublished or archived, as they keep their progress); and anyone, anonymous too, for a preview
/// lesson of a published course. A course the caller may not see answers 404, like everywhere else. An anonymous
/// reader can only ever see previews, so their read may come from the read replica; a signed-in reader's (enrolled
/// moments ago, or the author) comes from the primary.
/// </summary>
public sealed class LessonReader(NpgsqlDataSource database, ReadDatabase reads)
{
    public async Task<(LessonAccess Access, LessonContentResponse? Lesson)> ReadAsync(
        Viewer viewer, Guid courseId, Guid lessonId, CancellationToken cancellationToken)
    {
        await using var connection = viewer.UserId is null ? await reads.OpenAsync(cancellationToken) : await database.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<LessonRow>(new CommandDefinition(
            """
            SELECT l.id AS Id, l.course_id AS CourseId, l.position AS Position, l.title AS Title, l.duration_seconds AS DurationSeconds,
                   l.preview AS Preview, l.content AS Content, l.video_url AS VideoUrl,
                   c.instructor_id AS InstructorId, c.published AND c.archived_at IS NULL AS Public,
                   e.id IS NOT NULL AS Enrolled,
                   EXISTS (SELECT 1 FROM lesson_completions lc WHERE lc.enrollment_id = e.id AND lc.lesson_id = l.id) AS Completed
            FROM lessons l JOIN courses c ON c.id = l.course_id
            LEFT JOIN enrollments e ON e.course_id = c.id AND e.user_id = @viewerId AND e.status <> 'revoked'
            WHERE l.id = @lessonId AND l.course_id = @courseId
            """,
            new { courseId, lessonId, viewerId = viewer.UserId }, cancellationToken: cancellationToken));
        if (row is null)
        {
            return (LessonAccess.NotFound, null);
        }

        var author = viewer.IsAdmin || (viewer.UserId is { } id && id == row.InstructorId);
        var access = (author || row.Enrolled || (row.Public && row.Preview)) switch
        {
            true => LessonAccess.Granted,
            false when !row.Public => LessonAccess.NotFound,
            false when viewer.UserId is null => LessonAccess.SignInRequired,
            false => LessonAccess.NotEnrolled,
        };
        return access != LessonAccess.Granted
            ? (access, null)
            : (access, new LessonContentResponse(
                row.Id, row.CourseId, row.Position, row.Title, row.DurationSeconds, row.Preview, row.Content, row.VideoUrl,
                row.Enrolled ? row.Completed : null));
    }

    private sealed class LessonRow
    {
        public Guid Id { get; init; }
        public Guid CourseId { get; init; }
        public int Position { get; init; }
        public string Title { get; init; } = "";
        public int DurationSeconds { get; init; }
        public bool Preview { get; init; }
        public string Content { get; init; } = "";
        public string? VideoUrl { get; init; }
        public Guid InstructorId { get; init; }
        public bool Public { get; init; }
        public bool Enrolled { get; init; }
        public bool Completed { get; init; }
    }
}
