using Azora.Contract.Payments;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using Stripe;

namespace Azora.Payments.Stripe;

/// <summary>Settings under <c>Azora:Payments:Reconciliation</c>.</summary>
public sealed class ReconciliationOptions
{
    public const string Section = "Azora:Payments:Reconciliation";

    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Open payments untouched this long are re-read from Stripe (a webhook may have been lost).</summary>
    public TimeSpan MinimumAge { get; set; } = TimeSpan.FromMinutes(10);

    public int BatchSize { get; set; } = 50;
}

/// <summary>
/// Heals lost webhooks: re-reads open payments older than <see cref="ReconciliationOptions.MinimumAge"/> from Stripe
/// and applies the same transitions as the webhook. Rows are claimed with <c>FOR UPDATE SKIP LOCKED</c>, so several
/// worker replicas share the work without applying anything twice.
/// </summary>
public sealed class Reconciliation(
    NpgsqlDataSource database, PaymentLedger ledger, IOptions<StripeSettings> stripe, IOptions<ReconciliationOptions> options,
    PaymentsMetrics metrics, TimeProvider time, ILogger<Reconciliation> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!stripe.Value.IsConfigured)
        {
            logger.LogWarning("Stripe is not configured; reconciliation is off");
            return;
        }

        var intents = new PaymentIntentService(stripe.Value.CreateClient());
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        do
        {
            try
            {
                await RunOnceAsync(intents, stoppingToken);
            }
            catch (Exception ex) when (ex is NpgsqlException or StripeException or HttpRequestException)
            {
                logger.LogWarning(ex, "Reconciliation pass failed; the next one retries");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public async Task<int> RunOnceAsync(PaymentIntentService intents, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var open = (await connection.QueryAsync<string>(new CommandDefinition(
            """
            SELECT payment_intent_id FROM payments
            WHERE status IN ('pending', 'requires_action') AND updated_at < @before
            ORDER BY updated_at LIMIT @batch FOR UPDATE SKIP LOCKED
            """,
            new { before = (time.GetUtcNow() - options.Value.MinimumAge).UtcDateTime, batch = options.Value.BatchSize },
            transaction, cancellationToken: cancellationToken))).AsList();
        var applied = 0;
        foreach (var intentId in open)
        {
            var intent = await intents.GetAsync(intentId, cancellationToken: cancellationToken);
            PaymentChange? change = intent.Status switch
            {
                "succeeded" => PaymentChange.Succeeded,
                "canceled" => PaymentChange.Canceled,
                "requires_action" => PaymentChange.RequiresAction,
                "requires_payment_method" when intent.LastPaymentError is not null => PaymentChange.Failed,
                _ => null,
            };
            if (change is { } known && await ledger.ApplyAsync(transaction, intentId, known, intent.LastPaymentError?.Message, cancellationToken) == "applied")
            {
                metrics.Transition(known.ToString().ToLowerInvariant(), "reconciliation");
                applied++;
            }
        }

        await transaction.CommitAsync(cancellationToken);
        if (applied > 0)
        {
            logger.LogInformation("Reconciliation applied {Count} payment changes that no webhook had brought", applied);
        }

        return applied;
    }
}
