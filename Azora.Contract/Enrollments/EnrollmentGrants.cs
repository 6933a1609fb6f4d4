using Azora.Contract.Events;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Azora.Contract.Enrollments;

/// <summary>
/// The shared writer of new rows in <c>enrollments</c>. The API also moves its own learners' enrollments to
/// <c>completed</c> (lesson progress), and <see cref="Payments.PaymentLedger"/> revokes them on a refund; nothing else
/// writes the table.
/// Gives a learner an active enrollment, inside the caller's transaction, and records <c>course.enrolled</c> with it.
/// Used for free courses (the API) and for paid ones once the payment succeeds (the payments worker), so both write
/// the same row and the same event.
/// </summary>
public sealed class EnrollmentGrants(OutboxWriter outbox)
{
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
        if (enrollmentId is { } id)
        {
            await outbox.AppendAsync(transaction, AzoraEvents.CourseEnrolled, new CourseEnrollment(id, userId, courseId, instructorId, now), cancellationToken);
        }

        return enrollmentId;
    }

    /// <summary>
    /// <see cref="GrantAsync"/> for several learners and courses at once, in two statements; each (user, course) may
    /// appear only once. Returns how many enrollments were created or reactivated.
    /// </summary>
    public async Task<int> GrantManyAsync(
        NpgsqlTransaction transaction, IReadOnlyList<(Guid UserId, Guid CourseId, Guid InstructorId)> grants, DateTime now, CancellationToken cancellationToken)
    {
        if (grants.Count == 0)
        {
            return 0;
        }

        var granted = (await transaction.Connection!.QueryAsync<(Guid Id, Guid UserId, Guid CourseId)>(new CommandDefinition(
            """
            INSERT INTO enrollments (id, user_id, course_id, status, created_at, updated_at)
            SELECT id, user_id, course_id, 'active', @now, @now FROM unnest(@ids, @userIds, @courseIds) AS g (id, user_id, course_id)
            ON CONFLICT (user_id, course_id) DO UPDATE SET status = 'active', updated_at = @now, completed_at = NULL
                WHERE enrollments.status = 'revoked'
            RETURNING id, user_id, course_id
            """,
            new
            {
                ids = grants.Select(_ => Guid.CreateVersion7()).ToArray(),
                userIds = grants.Select(grant => grant.UserId).ToArray(),
                courseIds = grants.Select(grant => grant.CourseId).ToArray(),
                now,
            },
            transaction, cancellationToken: cancellationToken))).ToDictionary(row => (row.UserId, row.CourseId), row => row.Id);
        // In the order asked, as one grant after the other would have written them.
        await outbox.AppendManyAsync(
            transaction,
            [.. grants.Where(grant => granted.ContainsKey((grant.UserId, grant.CourseId))).Select(grant => ((AzoraEvent)AzoraEvents.CourseEnrolled,
                (object)new CourseEnrollment(granted[(grant.UserId, grant.CourseId)], grant.UserId, grant.CourseId, grant.InstructorId, now)))],
            cancellationToken);
        return granted.Count;
    }
}

public static class EnrollmentGrantsRegistration
{
    /// <summary><see cref="EnrollmentGrants"/> and the outbox it writes to; registering it twice is harmless.</summary>
    public static IServiceCollection AddEnrollmentGrants(this IServiceCollection services)
    {
        services.AddOutbox();
        services.TryAddSingleton<EnrollmentGrants>();
        return services;
    }
}
