using Azora.Contract.Enrollments;
using Azora.Contract.Outbox;
using Azora.Contract.Payments;
using Azora.Contract.Webhooks;
using Azora.Payments.Stripe;
using Azora.Payments.Webhooks;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDatabaseAndCache();
builder.Services.AddSingleton(TimeProvider.System);
// Stripe:ApiBase (the emulator), and plain http and loopback webhook targets, only outside Production.
builder.Services.AddStripeSettings();
builder.Services.AddOptions<ReconciliationOptions>().BindConfiguration(ReconciliationOptions.Section);
builder.Services.AddSingleton<OutboxWriter>();
builder.Services.AddSingleton<EnrollmentGrants>();
builder.Services.AddSingleton<PaymentLedger>();
builder.Services.AddSingleton<PaymentsMetrics>();
builder.Services.AddHostedService<Reconciliation>();
builder.Services.AddOptions<WebhookDeliveryOptions>().BindConfiguration(WebhookDeliveryOptions.Section);
builder.Services.AddWebhookTargets();
builder.Services.AddHostedService<WebhookRelay>();

var app = builder.Build();

app.UseSecurityHeaders();
app.MapDefaultEndpoints();
app.MapGet("/", () => TypedResults.Ok(new ServiceInfo("azora-payments", typeof(Program).Assembly.GetName().Version?.ToString() ?? "0.0.0")))
    .WithName("GetServiceInfo");
app.MapStripeWebhook();

app.Run();

internal sealed record ServiceInfo(string Service, string Version);
