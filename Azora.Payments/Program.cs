using Azora.Contract.Mail;
using Azora.Contract.Payments;
using Azora.Contract.Webhooks;
using Azora.Payments.Mail;
using Azora.Payments.Receipts;
using Azora.Payments.Stripe;
using Azora.Payments.Webhooks;
using Azora.ServiceDefaults;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDatabaseAndCache();
builder.Services.AddSingleton(TimeProvider.System);
// Stripe:ApiBase (the emulator) only outside Production.
builder.Services.AddStripeSettings();
builder.Services.AddPaymentLedger();
builder.Services.AddOptions<ReconciliationOptions>().BindConfiguration(ReconciliationOptions.Section);
builder.Services.AddSingleton<PaymentsMetrics>();
builder.Services.AddHostedService<Reconciliation>();
builder.Services.AddOptions<StripeEventWriterOptions>().BindConfiguration(StripeEventWriterOptions.Section).ValidateDataAnnotations().ValidateOnStart();
builder.Services.AddSingleton<StripeEventWriter>();
builder.Services.AddHostedService(services => services.GetRequiredService<StripeEventWriter>());
builder.Services.AddOptions<WebhookDeliveryOptions>().BindConfiguration(WebhookDeliveryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
// Plain http and loopback webhook targets only outside Production.
builder.Services.AddWebhookTargetGuard();
builder.Services.AddWebhookSubscriptions();
builder.Services.AddHostedService<WebhookRelay>();
builder.Services.AddMailOutbox();
builder.Services.AddSingleton<PaymentMails>();
// Delivers the mail outbox over SMTP (Azora:Mail:Smtp, Azora:Mail:Sender).
builder.Services.AddMailSender();

var app = builder.Build();

app.UseSecurityHeaders();
app.MapDefaultEndpoints();
app.MapServiceInfo("azora-payments");
app.MapStripeWebhook();

app.Run();
