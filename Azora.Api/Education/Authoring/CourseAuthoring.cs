using System.Text;
using System.Text.RegularExpressions;
using Azora.Api.Auth;
using Azora.Api.Education.Caching;
using Dapper;
using Npgsql;

namespace Azora.Api.Education.Authoring;

public enum AuthoringOutcome { Done, NotFound, Forbidden, Conflict }

public sealed record AuthoringResult<T>(AuthoringOutcome Outcome, T? Value = default, string? Detail = null);

public sealed record CourseDraft(string Title, string Slug, string Description, Guid CategoryId, string Level, long PriceMinor, string Currency);

/// <summary>
/// Writes by instructors and admins. An instructor may change only their own courses; someone else's course answers
/// 403 when it is public and 404 when it is a draft, so drafts stay invisible. Every write that commits evicts the cached
/// catalog, so callers cannot forget to.
/// </summary>
public sealed partial class CourseAuthoring(NpgsqlDataSource database, CatalogCache cache, TimeProvider time)
{
    private const string UniqueViolation = "23505";

    public static string Slugify(string title)
    {
        var slug = NonAlphanumeric().Replace(title.Normalize(NormalizationForm.FormKD).ToLowerInvariant(), "-").Trim('-');
        slug = slug.Length > 100 ? slug[..100].TrimEnd('-') : slug;
        return slug.Length == 0 ? "course" : slug;
    }

    public const int MaximumSlugLength = 120;

    public static bool IsValidSlug(string slug) => slug.Length <= MaximumSlugLength && SlugPattern().IsMatch(slug);

    public async Task<Guid?> CategoryIdAsync(string slug, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<Guid?>(new CommandDefinition(
            "SELECT id FROM categories WHERE slug = @slug", new { slug }, cancellationToken: cancellationToken));
    }

    public async Task<AuthoringResult<Guid>> CreateAsync(Guid instructorId, CourseDraft draft, bool slugChosen, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var id = Guid.CreateVersion7();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        for (var attempt = 0; ; attempt++)
        {
            var slug = attempt == 0 ? draft.Slug : $"{draft.Slug[..Math.Min(draft.Slug.Length, 110)]}-{Convert.ToHexString(Guid.NewGuid().ToByteArray(), 0, 3).ToLowerInvariant()}";
            try
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    """
                    INSERT INTO courses (id, slug, title, description, category_id, level, price_minor, currency, instructor_id, created_at, updated_at)
                    VALUES (@id, @slug, @Title, @Description, @CategoryId, @Level, @PriceMinor, @Currency, @instructorId, @now, @now)
                    """,
                    new { id, slug, draft.Title, draft.Description, draft.CategoryId, draft.Level, draft.PriceMinor, draft.Currency, instructorId, now },
                    cancellationToken: cancellationToken));
                await cache.InvalidateAsync(cancellationToken);
                return new AuthoringResult<Guid>(AuthoringOutcome.Done, id);
            }
            catch (PostgresException ex) when (ex.SqlState == UniqueViolation && (slugChosen || attempt >= 3))
            {
                return new AuthoringResult<Guid>(AuthoringOutcome.Conflict, Detail: $"The slug '{slug}' is taken; choose another.");
            }
            catch (PostgresException ex) when (ex.SqlState == UniqueViolation)
            {
                // A generated slug collided: add a short suffix and try again.
            }
        }
    }

    public async Task<AuthoringResult<Guid>> UpdateAsync(Viewer viewer, Guid courseId, CourseChanges changes, Guid? categoryId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var access = await AuthorizeAsync(connection, transaction, viewer, courseId, cancellationToken);
        if (access != AuthoringOutcome.Done)
        {
            return new AuthoringResult<Guid>(access);
        }

        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE courses SET
                    title = coalesce(@title, title),
                    slug = coalesce(@slug, slug),
                    description = coalesce(@description, description),
                    category_id = coalesce(@categoryId, category_id),
                    level = coalesce(@level, level),
                    price_minor = coalesce(@priceMinor, price_minor),
                    currency = coalesce(@currency, currency),
                    updated_at = @now
                WHERE id = @courseId
                """,
                new
                {
                    courseId,
                    title = changes.Title?.Trim(),
                    slug = changes.Slug,
                    description = changes.Description,
                    categoryId,
                    level = changes.Level,
                    priceMinor = changes.Price?.Amount,
                    currency = changes.Price?.Currency,
                    now = time.GetUtcNow().UtcDateTime,
                },
                transaction, cancellationToken: cancellationToken));
        }
        catch (PostgresException ex) when (ex.SqlState == UniqueViolation)
        {
            return new AuthoringResult<Guid>(AuthoringOutcome.Conflict, Detail: $"The slug '{changes.Slug}' is taken; choose another.");
        }

        await CommitAsync(transaction, cancellationToken);
        return new AuthoringResult<Guid>(AuthoringOutcome.Done, courseId);
    }

    /// <summary>Publishing needs at least one lesson, so a learner can always complete what they enroll in.</summary>
    public async Task<AuthoringResult<Guid>> SetPublishedAsync(Viewer viewer, Guid courseId, bool published, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var access = await AuthorizeAsync(connection, transaction, viewer, courseId, cancellationToken);
        if (access != AuthoringOutcome.Done)
        {
            return new AuthoringResult<Guid>(access);
        }

        var state = await connection.QuerySingleAsync<(bool Archived, int Lessons)>(new CommandDefinition(
            "SELECT archived_at IS NOT NULL, (SELECT count(*) FROM lessons WHERE course_id = @courseId)::int FROM courses WHERE id = @courseId",
            new { courseId }, transaction, cancellationToken: cancellationToken));
        if (published && state.Archived)
        {
            return new AuthoringResult<Guid>(AuthoringOutcome.Conflict, Detail: "An archived course cannot be published again.");
        }

        if (published && state.Lessons == 0)
        {
            return new AuthoringResult<Guid>(AuthoringOutcome.Conflict, Detail: "Add at least one lesson before publishing.");
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE courses SET published = @published, updated_at = @now WHERE id = @courseId",
            new { courseId, published, now = time.GetUtcNow().UtcDateTime }, transaction, cancellationToken: cancellationToken));
        await CommitAsync(transaction, cancellationToken);
        return new AuthoringResult<Guid>(AuthoringOutcome.Done, courseId);
    }

    /// <summary>Deletes a course nobody enrolled in; a course with enrollments is archived (hidden, kept for its learners).</summary>
    public async Task<AuthoringResult<string>> DeleteAsync(Viewer viewer, Guid courseId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var access = await AuthorizeAsync(connection, transaction, viewer, courseId, cancellationToken);
        if (access != AuthoringOutcome.Done)
        {
            return new AuthoringResult<string>(access);
        }

        var enrolled = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM enrollments WHERE course_id = @courseId)", new { courseId }, transaction, cancellationToken: cancellationToken));
        var outcome = enrolled ? "archived" : "deleted";
        await connection.ExecuteAsync(new CommandDefinition(
            enrolled
                ? "UPDATE courses SET archived_at = coalesce(archived_at, @now), published = false, updated_at = @now WHERE id = @courseId"
                : "DELETE FROM courses WHERE id = @courseId",
            new { courseId, now = time.GetUtcNow().UtcDateTime }, transaction, cancellationToken: cancellationToken));
        await CommitAsync(transaction, cancellationToken);
        return new AuthoringResult<string>(AuthoringOutcome.Done, outcome);
    }

    /// <summary>Adds a lesson at a position (default: last); later lessons move down one.</summary>
    public async Task<AuthoringResult<LessonResponse>> AddLessonAsync(Viewer viewer, Guid courseId, LessonChanges lesson, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var access = await AuthorizeAsync(connection, transaction, viewer, courseId, cancellationToken, lockCourse: true);
        if (access != AuthoringOutcome.Done)
        {
            return new AuthoringResult<LessonResponse>(access);
        }

        var count = await LessonCountAsync(connection, transaction, courseId, cancellationToken);
        var position = Math.Clamp(lesson.Position ?? count + 1, 1, count + 1);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE lessons SET position = position + 1 WHERE course_id = @courseId AND position >= @position",
            new { courseId, position }, transaction, cancellationToken: cancellationToken));
        var created = new LessonResponse(
            Guid.CreateVersion7(), courseId, position, lesson.Title!.Trim(), lesson.DurationSeconds ?? 0, lesson.ContentRef, lesson.Content ?? "",
            NullIfEmpty(lesson.VideoUrl), lesson.Preview ?? false);
        var now = time.GetUtcNow().UtcDateTime;
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO lessons (id, course_id, position, title, duration_seconds, content_ref, content, video_url, preview, created_at)
            VALUES (@Id, @CourseId, @Position, @Title, @DurationSeconds, @ContentRef, @Content, @VideoUrl, @Preview, @now)
            """,
            new
            {
                created.Id, created.CourseId, created.Position, created.Title, created.DurationSeconds, created.ContentRef, created.Content,
                created.VideoUrl, created.Preview, now,
            },
            transaction, cancellationToken: cancellationToken));
        await TouchAsync(connection, transaction, courseId, now, cancellationToken);
        await CommitAsync(transaction, cancellationToken);
        return new AuthoringResult<LessonResponse>(AuthoringOutcome.Done, created);
    }

    public async Task<AuthoringResult<LessonResponse>> UpdateLessonAsync(
        Viewer viewer, Guid courseId, Guid lessonId, LessonChanges changes, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var access = await AuthorizeAsync(connection, transaction, viewer, courseId, cancellationToken, lockCourse: true);
        if (access != AuthoringOutcome.Done)
        {
            return new AuthoringResult<LessonResponse>(access);
        }

        var current = await connection.QuerySingleOrDefaultAsync<int?>(new CommandDefinition(
            "SELECT position FROM lessons WHERE id = @lessonId AND course_id = @courseId", new { lessonId, courseId }, transaction, cancellationToken: cancellationToken));
        if (current is not { } from)
        {
            return new AuthoringResult<LessonResponse>(AuthoringOutcome.NotFound);
        }

        if (changes.Position is { } wanted)
        {
            var count = await LessonCountAsync(connection, transaction, courseId, cancellationToken);
            var to = Math.Clamp(wanted, 1, count);
            await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE lessons SET position = CASE
                    WHEN id = @lessonId THEN @to
                    WHEN @to < @from AND position >= @to AND position < @from THEN position + 1
                    WHEN @to > @from AND position <= @to AND position > @from THEN position - 1
                    ELSE position END
                WHERE course_id = @courseId
                """,
                new { courseId, lessonId, from, to }, transaction, cancellationToken: cancellationToken));
        }

        var now = time.GetUtcNow().UtcDateTime;
        var updated = await connection.QuerySingleAsync<LessonResponse>(new CommandDefinition(
            """
            UPDATE lessons SET title = coalesce(@title, title), duration_seconds = coalesce(@duration, duration_seconds),
                content_ref = coalesce(@contentRef, content_ref), content = coalesce(@content, content),
                video_url = CASE WHEN @videoUrl::text IS NULL THEN video_url ELSE nullif(@videoUrl, '') END, preview = coalesce(@preview, preview)
            WHERE id = @lessonId
            RETURNING id AS Id, course_id AS CourseId, position AS Position, title AS Title, duration_seconds AS DurationSeconds, content_ref AS ContentRef,
                content AS Content, video_url AS VideoUrl, preview AS Preview
            """,
            new
            {
                lessonId, title = changes.Title?.Trim(), duration = changes.DurationSeconds, contentRef = changes.ContentRef,
                content = changes.Content, videoUrl = changes.VideoUrl, preview = changes.Preview,
            },
            transaction, cancellationToken: cancellationToken));
        await TouchAsync(connection, transaction, courseId, now, cancellationToken);
        await CommitAsync(transaction, cancellationToken);
        return new AuthoringResult<LessonResponse>(AuthoringOutcome.Done, updated);
    }

    public async Task<AuthoringResult<Guid>> DeleteLessonAsync(Viewer viewer, Guid courseId, Guid lessonId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var access = await AuthorizeAsync(connection, transaction, viewer, courseId, cancellationToken, lockCourse: true);
        if (access != AuthoringOutcome.Done)
        {
            return new AuthoringResult<Guid>(access);
        }

        var position = await connection.QuerySingleOrDefaultAsync<int?>(new CommandDefinition(
            "DELETE FROM lessons WHERE id = @lessonId AND course_id = @courseId RETURNING position",
            new { lessonId, courseId }, transaction, cancellationToken: cancellationToken));
        if (position is null)
        {
            return new AuthoringResult<Guid>(AuthoringOutcome.NotFound);
        }

        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE lessons SET position = position - 1 WHERE course_id = @courseId AND position > @position",
            new { courseId, position }, transaction, cancellationToken: cancellationToken));
        await TouchAsync(connection, transaction, courseId, time.GetUtcNow().UtcDateTime, cancellationToken);
        await CommitAsync(transaction, cancellationToken);
        return new AuthoringResult<Guid>(AuthoringOutcome.Done, lessonId);
    }

    /// <summary>Commits a write, then evicts the cached catalog (after the commit, so no reader caches the old state again).</summary>
    private async Task CommitAsync(NpgsqlTransaction transaction, CancellationToken cancellationToken)
    {
        await transaction.CommitAsync(cancellationToken);
        await cache.InvalidateAsync(cancellationToken);
    }

    private static async Task<AuthoringOutcome> AuthorizeAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Viewer viewer, Guid courseId, CancellationToken cancellationToken,
        bool lockCourse = false)
    {
        var course = await connection.QuerySingleOrDefaultAsync<(Guid InstructorId, bool Public)>(new CommandDefinition(
            $"SELECT instructor_id, published AND archived_at IS NULL FROM courses WHERE id = @courseId {(lockCourse ? "FOR UPDATE" : "")}",
            new { courseId }, transaction, cancellationToken: cancellationToken));
        if (course.InstructorId == Guid.Empty)
        {
            return AuthoringOutcome.NotFound;
        }

        if (viewer.IsAdmin || course.InstructorId == viewer.UserId)
        {
            return AuthoringOutcome.Done;
        }

        return course.Public ? AuthoringOutcome.Forbidden : AuthoringOutcome.NotFound;
    }

    /// <summary>An empty video URL means "no video".</summary>
    private static string? NullIfEmpty(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private static Task<int> LessonCountAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid courseId, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT count(*)::int FROM lessons WHERE course_id = @courseId", new { courseId }, transaction, cancellationToken: cancellationToken));

    private static Task TouchAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid courseId, DateTime now, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            "UPDATE courses SET updated_at = @now WHERE id = @courseId", new { courseId, now }, transaction, cancellationToken: cancellationToken));

    [GeneratedRegex("[^a-z0-9]+")]
    private static partial Regex NonAlphanumeric();

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex SlugPattern();
}
