using Azora.Api.Common;
using Azora.Contract.Payments;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Stripe;

namespace Azora.Api.Payments;

public enum IntentOutcome { Created, Existing, EmailNotVerified, CourseNotFound, FreeCourse, AlreadyEnrolled, WrongCurrency, KeyReused, Unavailable }

/// <summary>
/// Payment intents for paid courses. One learner and course has at most one open payment (a unique index), and
/// creation is serialised per learner and course with an advisory lock, so parallel calls end with one Stripe
/// intent. The Stripe request carries the payment's id as its idempotency key, so Stripe.net's retries never create
/// a second intent either. A client's <c>Idempotency-Key</c> names one request: the same key again returns the payment
/// it made, and the same key for another course is refused (<see cref="IntentOutcome.KeyReused"/>) rather than
/// answered with a payment for something else.
/// </summary>
public sealed class PaymentService(NpgsqlDataSource database, IOptions<StripeSettings> stripe, TimeProvider time, ILogger<PaymentService> logger)
{
    // One Stripe client, and so one HTTP connection pool, for intents and refunds; made on first use.
    private readonly Lazy<IStripeClient> _client = new(() => stripe.Value.CreateClient());

    private const string PaymentColumns =
        """
        p.id AS Id, p.course_id AS CourseId, c.title AS CourseTitle, p.amount AS Amount, p.currency AS Currency, p.status AS Status,
        p.payment_intent_id AS PaymentIntentId, CASE WHEN p.status IN ('pending', 'requires_action') THEN p.client_secret END AS ClientSecret,
        p.failure_reason AS FailureReason, p.created_at AS CreatedAt, p.updated_at AS UpdatedAt
        """;

    public async Task<(IntentOutcome Outcome, PaymentIntentResponse? Intent, string? Detail)> CreateIntentAsync(
        Guid userId, Guid courseId, string? currency, string? idempotencyKey, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var verified = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT email_verified_at IS NOT NULL FROM users WHERE id = @userId", new { userId }, cancellationToken: cancellationToken));
        if (!verified)
        {
            return (IntentOutcome.EmailNotVerified, null, null);
        }

        var course = await connection.QuerySingleOrDefaultAsync<(Guid Id, long Price, string Currency, bool Enrolled)>(new CommandDefinition(
            """
            SELECT c.id, c.price_minor, c.currency,
                   EXISTS (SELECT 1 FROM enrollments e WHERE e.course_id = c.id AND e.user_id = @userId AND e.status <> 'revoked')
            FROM courses c WHERE c.id = @courseId AND c.published AND c.archived_at IS NULL
            """,
            new { userId, courseId }, cancellationToken: cancellationToken));
        if (course.Id == Guid.Empty)
        {
            return (IntentOutcome.CourseNotFound, null, null);
        }

        if (course.Price == 0)
        {
            return (IntentOutcome.FreeCourse, null, null);
        }

        if (course.Enrolled)
        {
            return (IntentOutcome.AlreadyEnrolled, null, null);
        }

        if (currency is not null && !currency.Equals(course.Currency, StringComparison.OrdinalIgnoreCase))
        {
            return (IntentOutcome.WrongCurrency, null, $"This course is sold in {course.Currency}.");
        }

        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "SELECT pg_advisory_xact_lock(hashtext('payment:' || @userId::text || ':' || @courseId::text))",
            new { userId, courseId }, transaction, cancellationToken: cancellationToken));
        var existing = await connection.QueryFirstOrDefaultAsync<ExistingPayment>(new CommandDefinition(
            """
            SELECT id AS PaymentId, payment_intent_id AS PaymentIntentId, client_secret AS ClientSecret, amount AS Amount, currency AS Currency, status AS Status,
                   course_id AS CourseId, coalesce(idempotency_key = @idempotencyKey, false) AS SameKey
            FROM payments
            WHERE user_id = @userId AND ((@idempotencyKey IS NOT NULL AND idempotency_key = @idempotencyKey)
                OR (course_id = @courseId AND status IN ('pending', 'requires_action')))
            ORDER BY (idempotency_key = @idempotencyKey) DESC NULLS LAST
            LIMIT 1
            """,
            new { userId, courseId, idempotencyKey }, transaction, cancellationToken: cancellationToken));
        if (existing is not null)
        {
            return existing.SameKey && existing.CourseId != courseId
                ? (IntentOutcome.KeyReused, null, null)
                : (IntentOutcome.Existing, existing.ToResponse(), null);
        }

        if (!stripe.Value.IsConfigured)
        {
            return (IntentOutcome.Unavailable, null, null);
        }

        var paymentId = Guid.CreateVersion7();
        PaymentIntent intent;
        try
        {
            intent = await new PaymentIntentService(_client.Value).CreateAsync(
                new PaymentIntentCreateOptions
                {
                    Amount = course.Price,
                    Currency = course.Currency.ToLowerInvariant(),
                    AutomaticPaymentMethods = new PaymentIntentAutomaticPaymentMethodsOptions { Enabled = true },
                    Metadata = new Dictionary<string, string>
                    {
                        ["payment_id"] = paymentId.ToString(),
                        ["user_id"] = userId.ToString(),
                        ["course_id"] = courseId.ToString(),
                    },
                },
                new RequestOptions { IdempotencyKey = $"azora-payment-{paymentId}" },
                cancellationToken);
        }
        catch (Exception ex) when (ex is StripeException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Stripe refused or did not answer the PaymentIntent for course {CourseId}", courseId);
            return (IntentOutcome.Unavailable, null, null);
        }

        var now = time.GetUtcNow().UtcDateTime;
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO payments (id, user_id, course_id, payment_intent_id, client_secret, amount, currency, status, idempotency_key, created_at, updated_at)
                VALUES (@paymentId, @userId, @courseId, @intentId, @clientSecret, @amount, @currency, 'pending', @idempotencyKey, @now, @now)
                """,
                new { paymentId, userId, courseId, intentId = intent.Id, clientSecret = intent.ClientSecret, amount = course.Price, currency = course.Currency, idempotencyKey, now },
                transaction, cancellationToken: cancellationToken));
        }
        catch (PostgresException ex) when (ex is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "payments_idempotency_idx" })
        {
            // The same key, at the same moment, for another course (the lock above is per course): that request won.
            // The intent just made at Stripe is never confirmed, so nothing is charged for it.
            return (IntentOutcome.KeyReused, null, null);
        }

        await transaction.CommitAsync(cancellationToken);
        return (IntentOutcome.Created, new PaymentIntentResponse(paymentId, intent.Id, intent.ClientSecret, course.Price, course.Currency, "pending"), null);
    }

    public async Task<PagedResponse<PaymentResponse>> ListAsync(Guid userId, PageRequest page, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM payments WHERE user_id = @userId", new { userId }, cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<PaymentRow>(new CommandDefinition(
            $"SELECT {PaymentColumns} FROM payments p JOIN courses c ON c.id = p.course_id WHERE p.user_id = @userId ORDER BY p.created_at DESC, p.id DESC LIMIT @limit OFFSET @offset",
            new { userId, limit = page.Limit, offset = page.Offset }, cancellationToken: cancellationToken));
        return PagedResponse<PaymentResponse>.Create(rows.Select(row => row.ToResponse()).ToList(), page, total);
    }

    /// <summary>The payment if it is the user's (or any, for <paramref name="anyUser"/>); otherwise null.</summary>
    public async Task<PaymentResponse?> FindAsync(Guid userId, Guid paymentId, bool anyUser, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<PaymentRow>(new CommandDefinition(
            $"SELECT {PaymentColumns} FROM payments p JOIN courses c ON c.id = p.course_id WHERE p.id = @paymentId AND (@anyUser OR p.user_id = @userId)",
            new { userId, paymentId, anyUser }, cancellationToken: cancellationToken));
        return row?.ToResponse();
    }

    /// <summary>Asks Stripe to refund; the worker applies the refund when Stripe's <c>charge.refunded</c> arrives.</summary>
    public async Task<bool> RequestRefundAsync(string paymentIntentId, CancellationToken cancellationToken)
    {
        if (!stripe.Value.IsConfigured)
        {
            return false;
        }

        try
        {
            await new RefundService(_client.Value).CreateAsync(
                new RefundCreateOptions { PaymentIntent = paymentIntentId },
                new RequestOptions { IdempotencyKey = $"azora-refund-{paymentIntentId}" },
                cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is StripeException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Stripe refused or did not answer the refund of {PaymentIntentId}", paymentIntentId);
            return false;
        }
    }

    private sealed class ExistingPayment
    {
        public Guid PaymentId { get; init; }
        public string PaymentIntentId { get; init; } = "";
        public string ClientSecret { get; init; } = "";
        public long Amount { get; init; }
        public string Currency { get; init; } = "";
        public string Status { get; init; } = "";
        public Guid CourseId { get; init; }
        public bool SameKey { get; init; }

        public PaymentIntentResponse ToResponse() => new(PaymentId, PaymentIntentId, ClientSecret, Amount, Currency, Status);
    }

    private sealed class PaymentRow
    {
        public Guid Id { get; init; }
        public Guid CourseId { get; init; }
        public string CourseTitle { get; init; } = "";
        public long Amount { get; init; }
        public string Currency { get; init; } = "";
        public string Status { get; init; } = "";
        public string PaymentIntentId { get; init; } = "";
        public string? ClientSecret { get; init; }
        public string? FailureReason { get; init; }
        public DateTime CreatedAt { get; init; }
        public DateTime UpdatedAt { get; init; }

        public PaymentResponse ToResponse() => new(
            Id, CourseId, CourseTitle, Amount, Currency, Status, PaymentIntentId, ClientSecret, FailureReason,
            CreatedAt.AsUtcOffset(), UpdatedAt.AsUtcOffset());
    }
}
