using Azora.Data.Enrollments;
using Azora.Data.Outbox;
using Azora.Data.Payments;
using Azora.Data.Webhooks;
using Azora.Payments.Stripe;
using Azora.Payments.Webhooks;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDatabaseAndCache();
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddOptions<StripeSettings>().BindConfiguration(StripeSettings.Section);
builder.Services.AddOptions<ReconciliationOptions>().BindConfiguration(ReconciliationOptions.Section);
builder.Services.AddSingleton<OutboxWriter>();
builder.Services.AddSingleton<EnrollmentGrants>();
builder.Services.AddSingleton<PaymentLedger>();
builder.Services.AddSingleton<PaymentsMetrics>();
builder.Services.AddHostedService<Reconciliation>();
builder.Services.AddOptions<WebhookDeliveryOptions>().BindConfiguration(WebhookDeliveryOptions.Section);
// Plain http and loopback targets only where configured (Development and tests).
builder.Services.AddSingleton(new WebhookTargets(
    allowHttp: builder.Configuration.GetValue("Azora:Webhooks:AllowHttp", false),
    allowLoopback: builder.Configuration.GetValue("Azora:Webhooks:AllowLoopback", false)));
builder.Services.AddHostedService<WebhookRelay>();

var app = builder.Build();

app.UseSecurityHeaders();
app.MapDefaultEndpoints();
app.MapGet("/", () => TypedResults.Ok(new ServiceInfo("azora-payments", typeof(Program).Assembly.GetName().Version?.ToString() ?? "0.0.0")))
    .WithName("GetServiceInfo");
app.MapStripeWebhook();

app.Run();

internal sealed record ServiceInfo(string Service, string Version);
