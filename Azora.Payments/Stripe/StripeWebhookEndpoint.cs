using System.Diagnostics;
using System.Text;
using Azora.Contract.Payments;
using Microsoft.Extensions.Options;
using System.Threading.Channels;
using Npgsql;
using Stripe;

namespace Azora.Payments.Stripe;

/// <summary>
/// <c>POST /webhooks/stripe</c>: verifies the signature on the raw body with Stripe.net's <see cref="EventUtility"/>
/// (bad, or timestamped more than 5 minutes before or after now: 400, nothing written; a body over 512 KiB, declared or
/// not: 413), then hands it to the <see cref="StripeEventWriter"/>, which records the event id and applies its effect in
/// one transaction (shared with the other events waiting at that moment), so a redelivered event, even five at once,
/// changes nothing the second time. The answer is sent only once that transaction has committed. While PostgreSQL
/// cannot be reached the answer is 503 with <c>Retry-After</c> (Stripe delivers the event again), not a 500.
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
        HttpRequest request, StripeEventWriter writer, IOptions<StripeSettings> settings, PaymentsMetrics metrics,
        ILogger<PaymentLedger> logger, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        if (string.IsNullOrEmpty(settings.Value.WebhookSecret))
        {
            return Results.Problem(statusCode: 503, detail: "No webhook secret is configured (Azora:Stripe:WebhookSecret).");
        }

        var body = request.ContentLength > MaximumBodyBytes ? null : await ReadBodyAsync(request.Body, cancellationToken);
        if (body is null)
        {
            return TooLarge();
        }

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
        string outcome;
        try
        {
            outcome = await writer.ApplyAsync(new StripeEventChange(stripeEvent.Id, stripeEvent.Type, change, intentId, failure), cancellationToken);
        }
        catch (ChannelClosedException)
        {
            return Results.Problem(statusCode: 503, detail: "The worker is stopping; Stripe delivers the event again.");
        }
        catch (NpgsqlException ex) when (ex.IsTransient)
        {
            logger.LogWarning("Stripe event {EventId} not applied, the database is unavailable: {Reason}", stripeEvent.Id, ex.Message);
            request.HttpContext.Response.Headers.RetryAfter = "5";
            return Results.Problem(statusCode: 503, detail: "The database is unavailable; Stripe delivers the event again.");
        }

        if (outcome == "duplicate")
        {
            metrics.Event(stripeEvent.Type, "duplicate");
            return Results.Ok(new { received = true, duplicate = true });
        }

        metrics.Event(stripeEvent.Type, outcome);
        if (outcome == "applied")
        {
            metrics.Transition(change!.Value.ToString().ToLowerInvariant(), "webhook");
        }

        metrics.Processed(Stopwatch.GetElapsedTime(started));
        return Results.Ok(new { received = true, outcome });
    }

    /// <summary>
    /// The body as text, or null as soon as it grows past the limit: counted on the stream, so a chunked body without
    /// a Content-Length is never read whole either.
    /// </summary>
    private static async Task<string?> ReadBodyAsync(Stream body, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaximumBodyBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>413 in the API's problem format (a stable <c>code</c> and the <c>traceId</c>).</summary>
    private static IResult TooLarge() => TypedResults.Problem(
        detail: $"The event is larger than the worker accepts ({MaximumBodyBytes / 1024} KiB).",
        statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Content Too Large",
        type: "https://tools.ietf.org/html/rfc9110#section-15.5.14",
        extensions: new Dictionary<string, object?> { ["code"] = "PAYLOAD_TOO_LARGE", ["traceId"] = Activity.Current?.TraceId.ToString() });

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
