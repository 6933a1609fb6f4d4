using Azora.Contract.Enrollments;
using Azora.Contract.Events;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Azora.Contract.Payments;

public enum PaymentChange { Succeeded, Failed, RequiresAction, Canceled, Refunded }

/// <summary>A verified Stripe event as the ledger applies it.</summary>
/// <param name="Change">What it means for the payment, or null for a type that is acknowledged and ignored.</param>
public sealed record StripeEventChange(string EventId, string Type, PaymentChange? Change, string? PaymentIntentId, string? FailureReason);

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

    /// <summary>
    /// Records Stripe events in <c>stripe_events</c> and applies them in the caller's transaction, with the same effect
    /// as recording each id, <see cref="ApplyAsync"/> and writing its outcome for each in turn, but in a fixed number
    /// of statements whatever their number: that is what lets one transaction carry many events. An event id met again
    /// (recorded before, or earlier in the list) is a <c>duplicate</c>. When a payment, or a learner's course, is
    /// touched by more than one event of the list, they are applied one after the other instead, so their order still
    /// decides.
    /// </summary>
    /// <returns>Per event: <c>applied</c>, <c>unchanged</c>, <c>unknown_payment</c>, <c>ignored</c> or <c>duplicate</c>.</returns>
    public async Task<string[]> RecordAndApplyAsync(NpgsqlTransaction transaction, IReadOnlyList<StripeEventChange> events, CancellationToken cancellationToken)
    {
        var connection = transaction.Connection!;
        var now = time.GetUtcNow().UtcDateTime;
        // Sorted, so two batches with the same ids take their locks in the same order.
        var distinct = events.DistinctBy(@event => @event.EventId).OrderBy(@event => @event.EventId, StringComparer.Ordinal).ToList();
        var recorded = (await connection.QueryAsync<string>(new CommandDefinition(
            """
            INSERT INTO stripe_events (id, type, outcome, received_at)
            SELECT id, type, 'received', @now FROM unnest(@ids, @types) AS e (id, type)
            ON CONFLICT DO NOTHING RETURNING id
            """,
            new { ids = distinct.Select(@event => @event.EventId).ToArray(), types = distinct.Select(@event => @event.Type).ToArray(), now },
            transaction, cancellationToken: cancellationToken))).ToHashSet(StringComparer.Ordinal);

        var outcomes = new string[events.Count];
        var toApply = new List<int>();
        for (var i = 0; i < events.Count; i++)
        {
            outcomes[i] = !recorded.Remove(events[i].EventId) ? "duplicate"
                : events[i] is { Change: not null, PaymentIntentId: not null } ? "" : "ignored";
            if (outcomes[i].Length == 0)
            {
                toApply.Add(i);
            }
        }

        if (toApply.Count > 0)
        {
            var payments = (await connection.QueryAsync<PaymentRow>(new CommandDefinition(
                $"""
                SELECT {PaymentColumns} FROM payments p JOIN courses c ON c.id = p.course_id
                WHERE p.payment_intent_id = ANY (@intents) ORDER BY p.id FOR UPDATE OF p
                """,
                new { intents = toApply.Select(i => events[i].PaymentIntentId!).Distinct().ToArray() },
                transaction, cancellationToken: cancellationToken))).ToDictionary(payment => payment.PaymentIntentId);
            var touched = toApply.Select(i => payments.GetValueOrDefault(events[i].PaymentIntentId!)).OfType<PaymentRow>().ToList();
            if (touched.DistinctBy(payment => (payment.UserId, payment.CourseId)).Count() < touched.Count)
            {
                foreach (var i in toApply)
                {
                    outcomes[i] = await ApplyAsync(transaction, events[i].PaymentIntentId!, events[i].Change!.Value, events[i].FailureReason, cancellationToken);
                }
            }
            else
            {
                await ApplyEachOnceAsync(transaction, events, toApply, payments, outcomes, now, cancellationToken);
            }
        }

        var written = events.Select((@event, i) => (@event.EventId, Outcome: outcomes[i])).Where(@event => @event.Outcome != "duplicate").ToList();
        if (written.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE stripe_events e SET outcome = v.outcome FROM unnest(@ids, @outcomes) AS v (id, outcome) WHERE e.id = v.id",
                new { ids = written.Select(@event => @event.EventId).ToArray(), outcomes = written.Select(@event => @event.Outcome).ToArray() },
                transaction, cancellationToken: cancellationToken));
        }

        return outcomes;
    }

    /// <summary>The events of <paramref name="toApply"/>, each about another payment and another learner's course, set-wise.</summary>
    private async Task ApplyEachOnceAsync(
        NpgsqlTransaction transaction, IReadOnlyList<StripeEventChange> events, List<int> toApply, Dictionary<string, PaymentRow> payments, string[] outcomes,
        DateTime now, CancellationToken cancellationToken)
    {
        var moved = new List<(Guid Id, string To, string? FailureReason)>();
        var outboxEvents = new List<(AzoraEvent Event, object Payload)>();
        var grantsToWrite = new List<(Guid UserId, Guid CourseId, Guid InstructorId)>();
        var revoked = new List<PaymentRow>();
        foreach (var i in toApply)
        {
            var (intentId, change, failureReason) = (events[i].PaymentIntentId!, events[i].Change!.Value, events[i].FailureReason);
            if (!payments.TryGetValue(intentId, out var payment))
            {
                outcomes[i] = "unknown_payment";
                continue;
            }

            var (to, from) = Transitions[change];
            if (!from.Contains(payment.Status))
            {
                outcomes[i] = "unchanged";
                continue;
            }

            outcomes[i] = "applied";
            moved.Add((payment.Id, to, failureReason));
            var facts = new PaymentFacts(payment.Id, intentId, payment.UserId, payment.CourseId, payment.InstructorId, payment.Amount, payment.Currency);
            switch (change)
            {
                case PaymentChange.Succeeded:
                    outboxEvents.Add((AzoraEvents.PaymentSucceeded, facts));
                    grantsToWrite.Add((payment.UserId, payment.CourseId, payment.InstructorId));
                    break;
                case PaymentChange.Failed:
                    outboxEvents.Add((AzoraEvents.PaymentFailed, new PaymentFailure(
                        facts.PaymentId, intentId, facts.UserId, facts.CourseId, facts.InstructorId, facts.Amount, facts.Currency, failureReason)));
                    break;
                case PaymentChange.Refunded:
                    outboxEvents.Add((AzoraEvents.PaymentRefunded, facts));
                    revoked.Add(payment);
                    break;
            }
        }

        if (moved.Count == 0)
        {
            return;
        }

        var connection = transaction.Connection!;
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE payments p SET status = v.status, failure_reason = coalesce(v.failure_reason, p.failure_reason), updated_at = @now
            FROM unnest(@ids, @statuses, @failureReasons) AS v (id, status, failure_reason) WHERE p.id = v.id
            """,
            new
            {
                ids = moved.Select(move => move.Id).ToArray(),
                statuses = moved.Select(move => move.To).ToArray(),
                failureReasons = moved.Select(move => move.FailureReason).ToArray(),
                now,
            },
            transaction, cancellationToken: cancellationToken));
        await outbox.AppendManyAsync(transaction, outboxEvents, cancellationToken);
        if (revoked.Count > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE enrollments e SET status = 'revoked', updated_at = @now
                FROM unnest(@userIds, @courseIds) AS v (user_id, course_id) WHERE e.user_id = v.user_id AND e.course_id = v.course_id
                """,
                new { userIds = revoked.Select(payment => payment.UserId).ToArray(), courseIds = revoked.Select(payment => payment.CourseId).ToArray(), now },
                transaction, cancellationToken: cancellationToken));
        }

        await grants.GrantManyAsync(transaction, grantsToWrite, now, cancellationToken);
    }

    /// <returns><c>applied</c>, <c>unchanged</c> (not a forward move) or <c>unknown_payment</c>.</returns>
    public async Task<string> ApplyAsync(
        NpgsqlTransaction transaction, string paymentIntentId, PaymentChange change, string? failureReason, CancellationToken cancellationToken)
    {
        var connection = transaction.Connection!;
        var payment = await connection.QuerySingleOrDefaultAsync<PaymentRow>(new CommandDefinition(
            $"""
            SELECT {PaymentColumns} FROM payments p JOIN courses c ON c.id = p.course_id
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

    private const string PaymentColumns =
        """
        p.id AS Id, p.payment_intent_id AS PaymentIntentId, p.user_id AS UserId, p.course_id AS CourseId, p.status AS Status,
        p.amount AS Amount, p.currency AS Currency, c.instructor_id AS InstructorId
        """;

    private sealed class PaymentRow
    {
        public Guid Id { get; init; }
        public string PaymentIntentId { get; init; } = "";
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
