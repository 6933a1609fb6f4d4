// A stand-in for Stripe's API at the network boundary, for Development, tests and staging (never production): the
// calls Azora makes (create, retrieve and cancel PaymentIntents; create Refunds) in Stripe's wire format, card outcomes
// on demand with signed webhooks to the payments worker (sent in the background and retried until the worker takes
// them, as Stripe does), and injected faults. State lives in memory.
using System.Text.Json;
using Azora.StripeEmulator;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.Services.AddSingleton<EmulatorState>();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<WebhookSender>();

var app = builder.Build();
app.MapDefaultEndpoints();

// Stripe's API: bearer secret key, form-encoded requests, JSON answers, Idempotency-Key honoured on POST.
var stripe = app.MapGroup("/v1").AddEndpointFilter(async (context, next) =>
{
    var http = context.HttpContext;
    var state = http.RequestServices.GetRequiredService<EmulatorState>();
    if (!(http.Request.Headers.Authorization.ToString() is var auth && auth.StartsWith("Bearer sk_test_", StringComparison.Ordinal)))
    {
        return StripeError(401, "invalid_request_error", "Invalid API Key provided.");
    }

    if (state.TakeFault() is { } fault)
    {
        await Task.Delay(fault.DelayMilliseconds, http.RequestAborted);
        if (fault.Status > 0)
        {
            return StripeError(fault.Status, "api_error", "Injected fault.");
        }
    }

    var key = HttpMethods.IsPost(http.Request.Method) ? http.Request.Headers["Idempotency-Key"].ToString() : "";
    if (key.Length > 0 && state.IdempotentResponses.TryGetValue(key, out var earlier))
    {
        return Results.Content(earlier.Body, "application/json", statusCode: earlier.Status);
    }

    var result = await next(context);
    if (key.Length > 0 && result is IStatusCodeHttpResult { StatusCode: null or 200 } and IValueHttpResult { Value: { } value })
    {
        state.IdempotentResponses.TryAdd(key, (200, JsonSerializer.Serialize(value, WebhookSender.Json)));
    }

    return result;
});

stripe.MapPost("/payment_intents", async (HttpRequest request, EmulatorState state) =>
{
    var form = await request.ReadFormAsync();
    if (!long.TryParse(form["amount"], out var amount) || amount < 1 || string.IsNullOrEmpty(form["currency"]))
    {
        return StripeError(400, "invalid_request_error", "amount and currency are required.");
    }

    var id = EmulatorState.NewId("pi");
    var intent = new PaymentIntent
    {
        Id = id,
        Amount = amount,
        Currency = form["currency"].ToString().ToLowerInvariant(),
        ClientSecret = $"{id}_secret_{EmulatorState.NewId("cs")[3..]}",
        Metadata = form.Keys.Where(k => k.StartsWith("metadata[", StringComparison.Ordinal))
            .ToDictionary(k => k["metadata[".Length..^1], k => form[k].ToString()),
    };
    state.Intents[id] = intent;
    return Results.Json(intent, WebhookSender.Json);
});

stripe.MapGet("/payment_intents/{id}", (string id, EmulatorState state) =>
    state.Intents.TryGetValue(id, out var intent) ? Results.Json(intent, WebhookSender.Json) : NoSuch("payment_intent", id));

stripe.MapPost("/payment_intents/{id}/cancel", (string id, EmulatorState state, WebhookSender webhooks) =>
{
    if (!state.Intents.TryGetValue(id, out var intent))
    {
        return NoSuch("payment_intent", id);
    }

    if (intent.Status is "succeeded" or "canceled")
    {
        return StripeError(400, "invalid_request_error", $"This PaymentIntent's status is {intent.Status}.");
    }

    intent.Status = "canceled";
    intent.CanceledAt = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    webhooks.Send(WebhookSender.Event("payment_intent.canceled", intent));
    return Results.Json(intent, WebhookSender.Json);
});

stripe.MapPost("/refunds", async (HttpRequest request, EmulatorState state, WebhookSender webhooks) =>
{
    var form = await request.ReadFormAsync();
    var id = form["payment_intent"].ToString();
    if (!state.Intents.TryGetValue(id, out var intent))
    {
        return NoSuch("payment_intent", id);
    }

    if (intent.Status != "succeeded")
    {
        return StripeError(400, "invalid_request_error", "This PaymentIntent has no successful charge to refund.");
    }

    var refund = new { id = EmulatorState.NewId("re"), @object = "refund", amount = intent.Amount, currency = intent.Currency, payment_intent = id, charge = intent.LatestCharge, status = "succeeded" };
    var charge = new { id = intent.LatestCharge, @object = "charge", amount = intent.Amount, amount_refunded = intent.Amount, currency = intent.Currency, payment_intent = id, refunded = true, status = "succeeded" };
    webhooks.Send(WebhookSender.Event("charge.refunded", charge));
    return Results.Json(refund, WebhookSender.Json);
});

// Controls for developers and tests (not Stripe's): what a card does next, the events sent and their deliveries, and
// faults. The card's answer does not wait for the webhook: GET /emulator/events/{evt_…} shows each copy's attempts.
app.MapPost("/emulator/payment_intents/{id}/{outcome}", (string id, string outcome, EmulatorState state, WebhookSender webhooks, int? deliveries) =>
{
    if (!state.Intents.TryGetValue(id, out var intent))
    {
        return NoSuch("payment_intent", id);
    }

    if (CardOutcomes.Apply(intent, outcome, webhooks, Math.Clamp(deliveries ?? 1, 0, 50)) is not { } sent)
    {
        return StripeError(400, "invalid_request_error", "Use succeed, decline or require_action.");
    }

    return Results.Json(new { type = sent.Type, intent_status = intent.Status, @event = sent.Id, deliveries = sent.Deliveries.Length }, WebhookSender.Json);
});

app.MapGet("/emulator/events/{id}", (string id, EmulatorState state) =>
    state.Event(id) is { } sent ? Results.Json(sent, WebhookSender.Json) : NoSuch("event", id));

// What the soak waits for before its audit: no delivery still being retried.
app.MapGet("/emulator/events", (EmulatorState state) =>
{
    var deliveries = state.Events.SelectMany(sent => sent.Deliveries).ToList();
    return Results.Json(new
    {
        events = state.Events.Count,
        pending = deliveries.Count(delivery => delivery.Pending),
        delivered = deliveries.Count(delivery => delivery.Delivered),
        given_up = deliveries.Count(delivery => delivery.GivenUp),
        retried = deliveries.Count(delivery => delivery.Attempts.Length > 1),
    }, WebhookSender.Json);
});

// A partner's webhook endpoint for the end-to-end suite on staging, whose own machine the payments worker cannot
// reach: each sink (any name) answers 200 and keeps what reached it for the suite to read back and verify.
app.MapPost("/emulator/webhook-sinks/{sink}", async (string sink, HttpRequest request, EmulatorState state) =>
{
    using var reader = new StreamReader(request.Body);
    state.KeepDelivery(sink, new SinkDelivery(
        await reader.ReadToEndAsync(),
        request.Headers["Azora-Signature"].ToString(),
        request.Headers["Azora-Event-Id"].ToString(),
        request.Headers["Azora-Event-Type"].ToString()));
    return Results.Ok();
});

app.MapTestCheckout();

app.MapGet("/emulator/webhook-sinks/{sink}", (string sink, EmulatorState state) => Results.Json(state.DeliveriesTo(sink), WebhookSender.Json));

app.MapPost("/emulator/faults", (Fault fault, EmulatorState state) =>
{
    state.AddFault(fault with { Remaining = Math.Max(1, fault.Remaining) });
    return Results.NoContent();
});

app.MapDelete("/emulator/faults", (EmulatorState state) =>
{
    state.ClearFaults();
    return Results.NoContent();
});

app.Run();

static IResult StripeError(int status, string type, string message) =>
    Results.Json(new { error = new { type, message } }, WebhookSender.Json, statusCode: status);

static IResult NoSuch(string kind, string id) =>
    Results.Json(new { error = new { type = "invalid_request_error", code = "resource_missing", message = $"No such {kind}: '{id}'", param = "id" } }, WebhookSender.Json, statusCode: 404);
