using Azora.Api.Auth;
using Azora.Api.Education;
using Azora.Api.Education.Authoring;
using Azora.Api.Education.Catalog;
using Azora.Api.Education.Learning;
using Azora.Api.Errors;
using Azora.Api.Hosting;
using Azora.Api.OpenApi;
using Azora.Api.Payments;
using Azora.Api.RateLimiting;
using Azora.Api.Webhooks;
using Azora.Data.Payments;
using Azora.Data.Webhooks;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDatabaseAndCache();
builder.AddAzoraHosting();
builder.Services.AddAzoraErrors();
builder.Services.AddAzoraAuth();
builder.Services.AddAzoraRateLimits(builder.Configuration);
builder.Services.AddAzoraOpenApi();
builder.Services.AddAzoraEducation();
// Stripe:ApiBase (the emulator), and plain http and loopback webhook targets, only outside Production.
builder.Services.AddStripeSettings();
builder.Services.AddSingleton<PaymentService>();
builder.Services.AddWebhookTargets();

var app = builder.Build();

app.StartDependenciesEagerly();
app.UseAzoraMiddleware();

app.MapDefaultEndpoints();
app.MapAzoraOpenApi();
app.MapGet("/", () => TypedResults.Ok(new ServiceInfo("azora-api", typeof(Program).Assembly.GetName().Version?.ToString() ?? "0.0.0")))
    .WithName("GetServiceInfo");
app.MapAuthEndpoints();
app.MapCatalogEndpoints();
app.MapLearningEndpoints();
app.MapAuthoringEndpoints();
app.MapPaymentEndpoints();
app.MapWebhookEndpoints();

app.Run();

internal sealed record ServiceInfo(string Service, string Version);
