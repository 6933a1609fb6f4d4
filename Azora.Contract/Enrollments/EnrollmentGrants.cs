using Azora.Contract.Outbox;
using Dapper;
using Npgsql;

namespace Azora.Contract.Enrollments;

/// <summary>
/// Gives a learner an active enrollment, inside the caller's transaction, and records <c>course.enrolled</c> with it.
/// Used for free courses (the API) and for paid ones once the payment succeeds (the payments worker), so both write
/// the same row and the same event.
/// </summary>
public sealed class EnrollmentGrants(OutboxWriter outbox)
{
    public const string EnrolledEvent = "course.enrolled";

    /// <summary>
    /// Creates the enrollment, or reactivates a revoked one; returns its id, or null when the learner already holds an
    /// active or completed enrollment (then nothing is written). Concurrent grants race on the (user, course) key.
    /// </summary>
    public async Task<Guid?> GrantAsync(
        NpgsqlTransaction transaction, Guid userId, Guid courseId, Guid instructorId, DateTime now, CancellationToken cancellationToken)
    {
        var enrollmentId = await transaction.Connection!.ExecuteScalarAsync<Guid?>(new CommandDefinition(
            """
            INSERT INTO enrollments (id, user_id, course_id, status, created_at, updated_at)
            VALUES (@id, @userId, @courseId, 'active', @now, @now)
            ON CONFLICT (user_id, course_id) DO UPDATE SET status = 'active', updated_at = @now, completed_at = NULL
                WHERE enrollments.status = 'revoked'
            RETURNING id
            """,
            new { id = Guid.CreateVersion7(), userId, courseId, now }, transaction, cancellationToken: cancellationToken));
        if (enrollmentId is not null)
        {
            await outbox.AppendAsync(transaction, EnrolledEvent, new { enrollmentId, userId, courseId, instructorId, enrolledAt = now }, cancellationToken);
        }

        return enrollmentId;
    }
}
