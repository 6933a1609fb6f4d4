using Azora.Api.Common;
using Azora.Api.Education.Learning;
using Dapper;
using Npgsql;

namespace Azora.Api.Privacy;

/// <summary>Reads everything kept about one user, in one snapshot (a repeatable-read transaction), for the data export.</summary>
public sealed class AccountExport(NpgsqlDataSource database, TimeProvider time)
{
    public async Task<AccountExportResponse?> ExportAsync(Guid userId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken);
        var parameters = new { userId };

        var profile = await connection.QuerySingleOrDefaultAsync<ProfileRow>(new CommandDefinition(
            """
            SELECT id AS Id, email AS Email, name AS Name, bio AS Bio, roles AS Roles, email_verified_at AS EmailVerifiedAt, created_at AS CreatedAt
            FROM users WHERE id = @userId AND deleted_at IS NULL
            """,
            parameters, transaction, cancellationToken: cancellationToken));
        if (profile is null)
        {
            return null;
        }

        var enrollments = (await connection.QueryAsync<EnrollmentRow>(new CommandDefinition(
            """
            SELECT e.id AS Id, c.id AS CourseId, c.slug AS Slug, c.title AS Title, e.status AS Status, e.created_at AS EnrolledAt,
                   e.completed_at AS CompletedAt, (SELECT count(*)::int FROM lessons l WHERE l.course_id = c.id) AS TotalLessons
            FROM enrollments e JOIN courses c ON c.id = e.course_id
            WHERE e.user_id = @userId ORDER BY e.created_at, e.id
            """,
            parameters, transaction, cancellationToken: cancellationToken))).AsList();
        var completions = (await connection.QueryAsync<CompletionRow>(new CommandDefinition(
            """
            SELECT lc.enrollment_id AS EnrollmentId, l.id AS LessonId, l.title AS Title, lc.completed_at AS CompletedAt
            FROM lesson_completions lc JOIN enrollments e ON e.id = lc.enrollment_id JOIN lessons l ON l.id = lc.lesson_id
            WHERE e.user_id = @userId ORDER BY lc.completed_at, l.position
            """,
            parameters, transaction, cancellationToken: cancellationToken))).ToLookup(row => row.EnrollmentId);

        var payments = await connection.QueryAsync<PaymentRow>(new CommandDefinition(
            """
            SELECT p.id AS Id, p.course_id AS CourseId, c.title AS CourseTitle, p.amount AS Amount, p.currency AS Currency, p.status AS Status,
                   p.created_at AS CreatedAt, p.updated_at AS UpdatedAt
            FROM payments p JOIN courses c ON c.id = p.course_id
            WHERE p.user_id = @userId ORDER BY p.created_at, p.id
            """,
            parameters, transaction, cancellationToken: cancellationToken));
        var certificates = await connection.QueryAsync<CertificateRow>(new CommandDefinition(
            """
            SELECT id AS Id, course_id AS CourseId, learner_name AS LearnerName, course_title AS CourseTitle, completed_at AS CompletedAt
            FROM certificates WHERE user_id = @userId ORDER BY completed_at, id
            """,
            parameters, transaction, cancellationToken: cancellationToken));
        var apiKeys = await connection.QueryAsync<ApiKeyRow>(new CommandDefinition(
            """
            SELECT id AS Id, name AS Name, key_hint AS KeyHint, scopes AS Scopes, created_at AS CreatedAt, expires_at AS ExpiresAt,
                   last_used_at AS LastUsedAt, revoked_at AS RevokedAt
            FROM api_keys WHERE user_id = @userId ORDER BY created_at, id
            """,
            parameters, transaction, cancellationToken: cancellationToken));
        var subscriptions = await connection.QueryAsync<SubscriptionRow>(new CommandDefinition(
            """
            SELECT id AS Id, url AS Url, events AS Events, description AS Description, active AS Active, created_at AS CreatedAt
            FROM webhook_subscriptions WHERE owner_id = @userId ORDER BY created_at, id
            """,
            parameters, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);

        return new AccountExportResponse(
            time.GetUtcNow(),
            new ExportedProfile(
                profile.Id, profile.Email, profile.Name, profile.Bio, profile.Roles, profile.EmailVerifiedAt is not null,
                profile.EmailVerifiedAt.AsUtcOffset(), profile.CreatedAt.AsUtcOffset()),
            [.. enrollments.Select(row =>
            {
                var done = completions[row.Id].Select(lesson => new ExportedLessonCompletion(lesson.LessonId, lesson.Title, lesson.CompletedAt.AsUtcOffset())).ToList();
                var percent = row.TotalLessons == 0 ? 0 : done.Count * 100 / row.TotalLessons;
                return new ExportedEnrollment(
                    row.Id, new CourseRefForLearner(row.CourseId, row.Slug, row.Title), row.Status, new Progress(done.Count, row.TotalLessons, percent),
                    row.EnrolledAt.AsUtcOffset(), row.CompletedAt.AsUtcOffset(), done);
            })],
            [.. payments.Select(row => new ExportedPayment(
                row.Id, row.CourseId, row.CourseTitle, row.Amount, row.Currency, row.Status, row.CreatedAt.AsUtcOffset(), row.UpdatedAt.AsUtcOffset()))],
            [.. certificates.Select(row => new ExportedCertificate(row.Id, row.CourseId, row.LearnerName, row.CourseTitle, row.CompletedAt.AsUtcOffset()))],
            [.. apiKeys.Select(row => new ExportedApiKey(
                row.Id, row.Name, row.KeyHint, row.Scopes, row.CreatedAt.AsUtcOffset(), row.ExpiresAt.AsUtcOffset(), row.LastUsedAt.AsUtcOffset(),
                row.RevokedAt.AsUtcOffset()))],
            [.. subscriptions.Select(row => new ExportedWebhookSubscription(row.Id, row.Url, row.Events, row.Description, row.Active, row.CreatedAt.AsUtcOffset()))]);
    }

    private sealed class ProfileRow
    {
        public Guid Id { get; init; }
        public string Email { get; init; } = "";
        public string Name { get; init; } = "";
        public string? Bio { get; init; }
        public string[] Roles { get; init; } = [];
        public DateTime? EmailVerifiedAt { get; init; }
        public DateTime CreatedAt { get; init; }
    }

    private sealed class EnrollmentRow
    {
        public Guid Id { get; init; }
        public Guid CourseId { get; init; }
        public string Slug { get; init; } = "";
        public string Title { get; init; } = "";
        public string Status { get; init; } = "";
        public DateTime EnrolledAt { get; init; }
        public DateTime? CompletedAt { get; init; }
        public int TotalLessons { get; init; }
    }

    private sealed class CompletionRow
    {
        public Guid EnrollmentId { get; init; }
        public Guid LessonId { get; init; }
        public string Title { get; init; } = "";
        public DateTime CompletedAt { get; init; }
    }

    private sealed class PaymentRow
    {
        public Guid Id { get; init; }
        public Guid CourseId { get; init; }
        public string CourseTitle { get; init; } = "";
        public long Amount { get; init; }
        public string Currency { get; init; } = "";
        public string Status { get; init; } = "";
        public DateTime CreatedAt { get; init; }
        public DateTime UpdatedAt { get; init; }
    }

    private sealed class CertificateRow
    {
        public Guid Id { get; init; }
        public Guid CourseId { get; init; }
        public string LearnerName { get; init; } = "";
        public string CourseTitle { get; init; } = "";
        public DateTime CompletedAt { get; init; }
    }

    private sealed class ApiKeyRow
    {
        public Guid Id { get; init; }
        public string Name { get; init; } = "";
        public string KeyHint { get; init; } = "";
        public string[] Scopes { get; init; } = [];
        public DateTime CreatedAt { get; init; }
        public DateTime? ExpiresAt { get; init; }
        public DateTime? LastUsedAt { get; init; }
        public DateTime? RevokedAt { get; init; }
    }

    private sealed class SubscriptionRow
    {
        public Guid Id { get; init; }
        public string Url { get; init; } = "";
        public string[] Events { get; init; } = [];
        public string? Description { get; init; }
        public bool Active { get; init; }
        public DateTime CreatedAt { get; init; }
    }
}
