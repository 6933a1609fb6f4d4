using Azora.Contract.Enrollments;
using Azora.Contract.Events;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Azora.Contract.Payments;

public enum PaymentChange { Succeeded, Failed, RequiresAction, Canceled, Refunded }

/// <summary>
/// The store of <c>payments</c> and <c>stripe_events</c> as Stripe moves them: the payments worker (webhooks and
/// reconciliation) writes payment status only through this class; the API inserts a payment as <c>pending</c> when it
/// creates the intent (PaymentService) and writes no status after that.
/// Applies what Stripe reports about a PaymentIntent to the payment, its enrollment and the outbox, inside the caller's
/// transaction. Transitions only move forward: a late "failed" never overturns "succeeded", and a refund needs a
/// success. Used by the webhook endpoint and by reconciliation alike.
/// </summary>
public sealed class PaymentLedger(OutboxWriter outbox, EnrollmentGrants grants, TimeProvider time)
{
    private static readonly Dictionary<PaymentChange, (string To, string[] From)> Transitions = new()
    {
        [PaymentChange.Succeeded] = ("succeeded", ["pending", "requires_action", "failed"]),
        [PaymentChange.Failed] = ("failed", ["pending", "requires_action"]),
        [PaymentChange.RequiresAction] = ("requires_action", ["pending"]),
        [PaymentChange.Canceled] = ("canceled", ["pending", "requires_action", "failed"]),
        [PaymentChange.Refunded] = ("refunded", ["succeeded"]),
    };

    /// <summary>Records a Stripe event id; false when it was recorded before (a redelivery), and then nothing is to be done.</summary>
    public async Task<bool> TryRecordEventAsync(NpgsqlTransaction transaction, string eventId, string type, CancellationToken cancellationToken) =>
        await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            "INSERT INTO stripe_events (id, type, outcome, received_at) VALUES (@eventId, @type, 'received', @now) ON CONFLICT DO NOTHING",
            new { eventId, type, now = time.GetUtcNow().UtcDateTime }, transaction, cancellationToken: cancellationToken)) == 1;

    public static Task SetEventOutcomeAsync(NpgsqlTransaction transaction, string eventId, string outcome, CancellationToken cancellationToken) =>
        transaction.Connection!.ExecuteAsync(new CommandDefinition(
            "UPDATE stripe_events SET outcome = @outcome WHERE id = @eventId", new { eventId, outcome }, transaction, cancellationToken: cancellationToken));

    /// <summary>The outcomes of events recorded in this transaction, in one statement.</summary>
    public static Task SetEventOutcomesAsync(NpgsqlTransaction transaction, string[] eventIds, string[] outcomes, CancellationToken cancellationToken) =>
        transaction.Connection!.ExecuteAsync(new CommandDefinition(
            "UPDATE stripe_events e SET outcome = v.outcome FROM unnest(@eventIds, @outcomes) AS v (id, outcome) WHERE e.id = v.id",
            new { eventIds, outcomes }, transaction, cancellationToken: cancellationToken));

    /// <returns><c>applied</c>, <c>unchanged</c> (not a forward move) or <c>unknown_payment</c>.</returns>
    public async Task<string> ApplyAsync(
        NpgsqlTransaction transaction, string paymentIntentId, PaymentChange change, string? failureReason, CancellationToken cancellationToken)
    {
        var connection = transaction.Connection!;
        var payment = await connection.QuerySingleOrDefaultAsync<PaymentRow>(new CommandDefinition(
            """
            SELECT p.id AS Id, p.user_id AS UserId, p.course_id AS CourseId, p.status AS Status, p.amount AS Amount, p.currency AS Currency,
                   c.instructor_id AS InstructorId
            FROM payments p JOIN courses c ON c.id = p.course_id
            WHERE p.payment_intent_id = @paymentIntentId FOR UPDATE OF p
            """,
            new { paymentIntentId }, transaction, cancellationToken: cancellationToken));
        if (payment is null)
        {
            return "unknown_payment";
        }

        var (to, from) = Transitions[change];
        if (!from.Contains(payment.Status))
        {
            return "unchanged";
        }

        var now = time.GetUtcNow().UtcDateTime;
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE payments SET status = @to, failure_reason = coalesce(@failureReason, failure_reason), updated_at = @now WHERE id = @id",
            new { to, failureReason, now, id = payment.Id }, transaction, cancellationToken: cancellationToken));
        var facts = new PaymentFacts(
            payment.Id, paymentIntentId, payment.UserId, payment.CourseId, payment.InstructorId, payment.Amount, payment.Currency);

        switch (change)
        {
            case PaymentChange.Succeeded:
                await outbox.AppendAsync(transaction, AzoraEvents.PaymentSucceeded, facts, cancellationToken);
                await grants.GrantAsync(transaction, payment.UserId, payment.CourseId, payment.InstructorId, now, cancellationToken);
                break;
            case PaymentChange.Failed:
                await outbox.AppendAsync(transaction, AzoraEvents.PaymentFailed, new PaymentFailure(
                    facts.PaymentId, paymentIntentId, facts.UserId, facts.CourseId, facts.InstructorId, facts.Amount, facts.Currency, failureReason), cancellationToken);
                break;
            case PaymentChange.Refunded:
                await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE enrollments SET status = 'revoked', updated_at = @now WHERE user_id = @userId AND course_id = @courseId",
                    new { now, userId = payment.UserId, courseId = payment.CourseId }, transaction, cancellationToken: cancellationToken));
                await outbox.AppendAsync(transaction, AzoraEvents.PaymentRefunded, facts, cancellationToken);
                break;
        }

        return "applied";
    }

    private sealed class PaymentRow
    {
        public Guid Id { get; init; }
        public Guid UserId { get; init; }
        public Guid CourseId { get; init; }
        public string Status { get; init; } = "";
        public long Amount { get; init; }
        public string Currency { get; init; } = "";
        public Guid InstructorId { get; init; }
    }
}

public static class PaymentLedgerRegistration
{
    /// <summary>The <see cref="PaymentLedger"/> with what it writes through: enrollment grants and the outbox.</summary>
    public static IServiceCollection AddPaymentLedger(this IServiceCollection services)
    {
        services.AddEnrollmentGrants();
        services.TryAddSingleton<PaymentLedger>();
        return services;
    }
}
