using Azora.Data.Outbox;
using Azora.Data.Payments;
using Azora.Payments.Stripe;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNpgsqlDataSource("azora");
builder.AddRedisClient("cache");
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddOptions<StripeSettings>().BindConfiguration(StripeSettings.Section);
builder.Services.AddOptions<ReconciliationOptions>().BindConfiguration(ReconciliationOptions.Section);
builder.Services.AddSingleton<OutboxWriter>();
builder.Services.AddSingleton<PaymentLedger>();
builder.Services.AddSingleton<PaymentsMetrics>();
builder.Services.AddHostedService<Reconciliation>();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapGet("/", () => TypedResults.Ok(new ServiceInfo("azora-payments", typeof(Program).Assembly.GetName().Version?.ToString() ?? "0.0.0")))
    .WithName("GetServiceInfo");
app.MapStripeWebhook();

app.Run();

internal sealed record ServiceInfo(string Service, string Version);
