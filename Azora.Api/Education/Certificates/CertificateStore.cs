using Azora.Api.Common;
using Dapper;
using Npgsql;

namespace Azora.Api.Education.Certificates;

/// <summary>A certificate as its holder and anyone verifying it see it: the name on it, never an email.</summary>
public sealed record CertificateResponse(Guid Id, string LearnerName, Guid CourseId, string CourseTitle, DateTimeOffset CompletedAt);

/// <summary>
/// Certificates of completion: one per enrollment, issued in the transaction that completes it, with the learner's
/// name and the course's title as they were then. Anyone with the id can verify one.
/// </summary>
public sealed class CertificateStore(NpgsqlDataSource database)
{
    private const string Columns =
        "id AS Id, learner_name AS LearnerName, course_id AS CourseId, course_title AS CourseTitle, completed_at AS CompletedAt";

    /// <summary>
    /// Issues the enrollment's certificate inside the caller's transaction; a second call for the same enrollment
    /// changes nothing. The id is random (v4), not time-ordered, as it is the key to public verification.
    /// </summary>
    public static Task IssueAsync(NpgsqlTransaction transaction, Guid enrollmentId, DateTime completedAt, CancellationToken cancellationToken) =>
        transaction.Connection!.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO certificates (id, enrollment_id, user_id, course_id, learner_name, course_title, completed_at)
            SELECT @id, e.id, e.user_id, e.course_id, u.name, c.title, @completedAt
            FROM enrollments e JOIN users u ON u.id = e.user_id JOIN courses c ON c.id = e.course_id
            WHERE e.id = @enrollmentId
            ON CONFLICT (enrollment_id) DO NOTHING
            """,
            new { id = Guid.NewGuid(), enrollmentId, completedAt }, transaction, cancellationToken: cancellationToken));

    public async Task<PagedResponse<CertificateResponse>> ListAsync(Guid userId, PageRequest page, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM certificates WHERE user_id = @userId", new { userId }, cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<CertificateRow>(new CommandDefinition(
            $"SELECT {Columns} FROM certificates WHERE user_id = @userId ORDER BY completed_at DESC, id DESC LIMIT @limit OFFSET @offset",
            new { userId, limit = page.Limit, offset = page.Offset }, cancellationToken: cancellationToken));
        return PagedResponse<CertificateResponse>.Create(rows.Select(row => row.ToResponse()).ToList(), page, total);
    }

    public async Task<CertificateResponse?> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return (await connection.QuerySingleOrDefaultAsync<CertificateRow>(new CommandDefinition(
            $"SELECT {Columns} FROM certificates WHERE id = @id", new { id }, cancellationToken: cancellationToken)))?.ToResponse();
    }

    private sealed class CertificateRow
    {
        public Guid Id { get; init; }
        public string LearnerName { get; init; } = "";
        public Guid CourseId { get; init; }
        public string CourseTitle { get; init; } = "";
        public DateTime CompletedAt { get; init; }

        public CertificateResponse ToResponse() => new(Id, LearnerName, CourseId, CourseTitle, CompletedAt.AsUtcOffset());
    }
}
