using System.Diagnostics;
using Azora.Data.Payments;
using Microsoft.Extensions.Options;
using Npgsql;
using Stripe;

namespace Azora.Payments.Stripe;

/// <summary>
/// <c>POST /webhooks/stripe</c>: verifies the signature on the raw body with Stripe.net's <see cref="EventUtility"/>
/// (bad or older than 5 minutes: 400, nothing written), then records the event id and applies its effect in one
/// transaction, so a redelivered event, even five at once, changes nothing the second time.
/// </summary>
public static class StripeWebhookEndpoint
{
    public const string Path = "/webhooks/stripe";
    private const long MaximumBodyBytes = 512 * 1024;

    public static IEndpointRouteBuilder MapStripeWebhook(this IEndpointRouteBuilder app)
    {
        app.MapPost(Path, HandleAsync).WithName("StripeWebhook").DisableAntiforgery();
        return app;
    }

    private static async Task<IResult> HandleAsync(
        HttpRequest request, NpgsqlDataSource database, PaymentLedger ledger, IOptions<StripeSettings> settings, PaymentsMetrics metrics,
        ILogger<PaymentLedger> logger, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (string.IsNullOrEmpty(settings.Value.WebhookSecret))
        {
            return Results.Problem(statusCode: 503, detail: "No webhook secret is configured (Azora:Stripe:WebhookSecret).");
        }

        if (request.ContentLength > MaximumBodyBytes)
        {
            return Results.Problem(statusCode: 413, detail: "The event is larger than the worker accepts.");
        }

        using var reader = new StreamReader(request.Body);
        var body = await reader.ReadToEndAsync(cancellationToken);
        Event stripeEvent;
        try
        {
            stripeEvent = EventUtility.ConstructEvent(
                body, request.Headers["Stripe-Signature"], settings.Value.WebhookSecret, tolerance: 300, throwOnApiVersionMismatch: false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A missing or wrong signature, a stale timestamp, or a body that is not an event: nothing is written.
            metrics.SignatureFailure();
            logger.LogWarning("Stripe webhook refused: {Reason}", ex.Message);
            return Results.Problem(statusCode: 400, detail: "The Stripe-Signature does not match this body, or it is too old.");
        }

        var (change, intentId, failure) = Interpret(stripeEvent);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!await ledger.TryRecordEventAsync(transaction, stripeEvent.Id, stripeEvent.Type, cancellationToken))
        {
            metrics.Event(stripeEvent.Type, "duplicate");
            return Results.Ok(new { received = true, duplicate = true });
        }

        var outcome = change is { } known && intentId is not null
            ? await ledger.ApplyAsync(transaction, intentId, known, failure, cancellationToken)
            : "ignored";
        await PaymentLedger.SetEventOutcomeAsync(transaction, stripeEvent.Id, outcome, cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        metrics.Event(stripeEvent.Type, outcome);
        if (outcome == "applied")
        {
            metrics.Transition(change!.Value.ToString().ToLowerInvariant(), "webhook");
        }

        metrics.Processed(Stopwatch.GetElapsedTime(started));
        return Results.Ok(new { received = true, outcome });
    }

    /// <summary>What an event means for a payment; other event types are acknowledged and ignored.</summary>
    private static (PaymentChange? Change, string? PaymentIntentId, string? Failure) Interpret(Event stripeEvent) => stripeEvent.Data.Object switch
    {
        PaymentIntent intent => stripeEvent.Type switch
        {
            EventTypes.PaymentIntentSucceeded => (PaymentChange.Succeeded, intent.Id, null),
            EventTypes.PaymentIntentPaymentFailed => (PaymentChange.Failed, intent.Id, intent.LastPaymentError?.Message ?? "payment_failed"),
            EventTypes.PaymentIntentRequiresAction => (PaymentChange.RequiresAction, intent.Id, null),
            EventTypes.PaymentIntentCanceled => (PaymentChange.Canceled, intent.Id, null),
            _ => (null, null, null),
        },
        Charge charge when stripeEvent.Type == EventTypes.ChargeRefunded && charge.Refunded => (PaymentChange.Refunded, charge.PaymentIntentId, null),
        _ => (null, null, null),
    };
}
