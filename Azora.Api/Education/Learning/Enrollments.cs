using Azora.Api.Common;
using Azora.Api.Education.Certificates;
using Azora.Contract.Enrollments;
using Azora.Contract.Events;
using Dapper;
using Npgsql;

namespace Azora.Api.Education.Learning;

public enum EnrollOutcome { Created, Existing, NotFound, PaymentRequired }

public enum CompletionOutcome { Recorded, NotFound, NotEnrolled }

/// <summary>Enrollments and lesson progress. Every change and its domain event are written in one transaction.</summary>
public sealed class Enrollments(NpgsqlDataSource database, EnrollmentGrants grants, OutboxWriter outbox, TimeProvider time)
{
    private const string EnrollmentColumns =
        """
        e.id AS Id, e.status AS Status, e.created_at AS CreatedAt, e.completed_at AS CompletedAt,
        c.id AS CourseId, c.slug AS CourseSlug, c.title AS CourseTitle,
        (SELECT count(*) FROM lesson_completions lc JOIN lessons l ON l.id = lc.lesson_id WHERE lc.enrollment_id = e.id)::int AS CompletedLessons,
        (SELECT count(*) FROM lessons l WHERE l.course_id = c.id)::int AS TotalLessons
        """;

    /// <summary>
    /// Enrolls in a free course, once: concurrent calls race on the (user, course) unique key and all get the one row.
    /// A paid course needs a payment, except for a learner who already holds an active enrollment.
    /// </summary>
    public async Task<(EnrollOutcome Outcome, EnrollmentResponse? Enrollment)> EnrollAsync(Guid userId, Guid courseId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var course = await connection.QuerySingleOrDefaultAsync<(Guid Id, long PriceMinor, Guid InstructorId)>(new CommandDefinition(
            // Not FOR SHARE: the enrollment's trigger updates the course's enrollment_count (0016), and two enrollments
            // holding a share lock would each wait for the other to release it. Enrollments in one course take turns.
            "SELECT id, price_minor, instructor_id FROM courses WHERE id = @courseId AND published AND archived_at IS NULL FOR NO KEY UPDATE",
            new { courseId }, transaction, cancellationToken: cancellationToken));
        if (course.Id == Guid.Empty)
        {
            return (EnrollOutcome.NotFound, null);
        }

        var existing = await FindAsync(connection, transaction, userId, courseId, cancellationToken);
        if (existing is not null && existing.Status != "revoked")
        {
            return (EnrollOutcome.Existing, existing);
        }

        if (course.PriceMinor > 0)
        {
            return (EnrollOutcome.PaymentRequired, null);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var enrollmentId = await grants.GrantAsync(transaction, userId, courseId, course.InstructorId, now, cancellationToken);
        if (enrollmentId is null)
        {
            // Another request enrolled this learner between our read and our insert.
            await transaction.RollbackAsync(cancellationToken);
            return (EnrollOutcome.Existing, await FindAsync(userId, courseId, cancellationToken));
        }

        var created = await FindAsync(connection, transaction, userId, courseId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (EnrollOutcome.Created, created);
    }

    public async Task<EnrollmentResponse?> FindAsync(Guid userId, Guid courseId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await FindAsync(connection, null, userId, courseId, cancellationToken);
    }

    public async Task<PagedResponse<EnrollmentResponse>> ListAsync(Guid userId, PageRequest page, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM enrollments WHERE user_id = @userId", new { userId }, cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<EnrollmentRow>(new CommandDefinition(
            $"""
            SELECT {EnrollmentColumns} FROM enrollments e JOIN courses c ON c.id = e.course_id
            WHERE e.user_id = @userId ORDER BY e.created_at DESC, e.id DESC LIMIT @limit OFFSET @offset
            """,
            new { userId, limit = page.Limit, offset = page.Offset }, cancellationToken: cancellationToken));
        return PagedResponse<EnrollmentResponse>.Create(rows.Select(row => row.ToResponse()).ToList(), page, total);
    }

    /// <summary>
    /// Marks a lesson done (again is harmless). When every lesson is done the enrollment completes, and its certificate
    /// and <c>course.completed</c> are recorded exactly once: the enrollment row is locked, and only the update that moves it
    /// from active to completed writes the event.
    /// </summary>
    public async Task<(CompletionOutcome Outcome, EnrollmentResponse? Enrollment)> CompleteLessonAsync(
        Guid userId, Guid courseId, Guid lessonId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var lessonExists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM lessons WHERE id = @lessonId AND course_id = @courseId)",
            new { lessonId, courseId }, transaction, cancellationToken: cancellationToken));
        var enrollment = await connection.QuerySingleOrDefaultAsync<(Guid Id, string Status, Guid InstructorId)>(new CommandDefinition(
            """
            SELECT e.id, e.status, c.instructor_id FROM enrollments e JOIN courses c ON c.id = e.course_id
            WHERE e.user_id = @userId AND e.course_id = @courseId FOR UPDATE OF e
            """,
            new { userId, courseId }, transaction, cancellationToken: cancellationToken));
        if (enrollment.Id == Guid.Empty || enrollment.Status == "revoked")
        {
            return (lessonExists ? CompletionOutcome.NotEnrolled : CompletionOutcome.NotFound, null);
        }

        if (!lessonExists)
        {
            return (CompletionOutcome.NotFound, null);
        }

        var now = time.GetUtcNow().UtcDateTime;
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO lesson_completions (enrollment_id, lesson_id, completed_at) VALUES (@id, @lessonId, @now) ON CONFLICT DO NOTHING",
            new { id = enrollment.Id, lessonId, now }, transaction, cancellationToken: cancellationToken));
        var completed = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE enrollments e SET status = 'completed', completed_at = @now, updated_at = @now
            WHERE e.id = @id AND e.status = 'active'
              AND (SELECT count(*) FROM lessons l WHERE l.course_id = e.course_id)
                = (SELECT count(*) FROM lesson_completions lc JOIN lessons l ON l.id = lc.lesson_id WHERE lc.enrollment_id = e.id)
            """,
            new { id = enrollment.Id, now }, transaction, cancellationToken: cancellationToken));
        if (completed == 1)
        {
            await CertificateStore.IssueAsync(transaction, enrollment.Id, now, cancellationToken);
            await outbox.AppendAsync(
                transaction, AzoraEvents.CourseCompleted, new CourseCompletion(enrollment.Id, userId, courseId, enrollment.InstructorId, now), cancellationToken);
        }

        var result = await FindAsync(connection, transaction, userId, courseId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return (CompletionOutcome.Recorded, result);
    }

    private static async Task<EnrollmentResponse?> FindAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, Guid userId, Guid courseId, CancellationToken cancellationToken) =>
        (await connection.QuerySingleOrDefaultAsync<EnrollmentRow>(new CommandDefinition(
            $"SELECT {EnrollmentColumns} FROM enrollments e JOIN courses c ON c.id = e.course_id WHERE e.user_id = @userId AND e.course_id = @courseId",
            new { userId, courseId }, transaction, cancellationToken: cancellationToken)))?.ToResponse();

    private sealed class EnrollmentRow
    {
        public Guid Id { get; init; }
        public string Status { get; init; } = "";
        public DateTime CreatedAt { get; init; }
        public DateTime? CompletedAt { get; init; }
        public Guid CourseId { get; init; }
        public string CourseSlug { get; init; } = "";
        public string CourseTitle { get; init; } = "";
        public int CompletedLessons { get; init; }
        public int TotalLessons { get; init; }

        public EnrollmentResponse ToResponse() => new(
            Id,
            new CourseRefForLearner(CourseId, CourseSlug, CourseTitle),
            Status,
            new Progress(CompletedLessons, TotalLessons, TotalLessons == 0 ? 0 : CompletedLessons * 100 / TotalLessons),
            CreatedAt.AsUtcOffset(),
            CompletedAt.AsUtcOffset());
    }
}
