using Azora.Api.Admin;
using Azora.Api.Auth;
using Azora.Api.Auth.ApiKeys;
using Azora.Api.Auth.Tokens;
using Azora.Api.Education;
using Azora.Api.Payments;
using Azora.Api.Webhooks;
using Azora.Data.Payments;
using Azora.Data.Webhooks;
using Azora.Api.Errors;
using Azora.Api.OpenApi;
using Azora.Api.RateLimiting;
using Azora.Api.Validation;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Scalar.AspNetCore;
using StackExchange.Redis;

// `admin create`: the operator's one-shot command (Admin/AdminCommand.cs); it never starts the web host.
if (AdminCommand.IsCommand(args)) { Environment.ExitCode = await AdminCommand.RunAsync(args); return; }

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDatabaseAndCache();
// The API serves without Redis (rate limits fail open, revocations fall back to PostgreSQL), so a cache outage makes
// it Degraded, not unready: taking every replica out of the load balancer would turn a cache outage into a full one.
builder.Services.PostConfigure<HealthCheckServiceOptions>(options =>
{
    foreach (var registration in options.Registrations.Where(registration => registration.Name == "StackExchange.Redis"))
    {
        registration.FailureStatus = HealthStatus.Degraded;
    }
});
builder.Services.AddSingleton(TimeProvider.System);

builder.WebHost.ConfigureKestrel(kestrel =>
    kestrel.Limits.MaxRequestBodySize = builder.Configuration.GetValue<long>("Azora:Api:MaxRequestBodyBytes", 1024 * 1024));
builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = ApiProblems.Complete);
builder.Services.AddSingleton<ErrorMetrics>();
builder.Services.AddExceptionHandler<ApiExceptionHandler>();
// Malformed JSON, a wrong content type and the like are thrown, so ApiExceptionHandler words them like every other error.
builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
builder.Services.AddAzoraAuth();
builder.Services.AddAzoraRateLimits(builder.Configuration);
builder.Services.AddAzoraOpenApi();
builder.Services.AddAzoraEducation();
// Stripe:ApiBase (the emulator), and plain http and loopback webhook targets, only outside Production.
builder.Services.AddStripeSettings();
builder.Services.AddSingleton<PaymentService>();
builder.Services.AddWebhookTargets();
builder.Services.AddAzoraAdmin();

var app = builder.Build();

// Fails start-up at once when the signing keys are missing or broken, not at the first login.
app.Services.GetRequiredService<SigningKeyRing>();
// Connects to Redis before the first request: until it is connected, rate limits, revocations and the cache are skipped.
app.Services.GetRequiredService<IConnectionMultiplexer>();

app.UseSecurityHeaders();
app.UseForwardedHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseAuthentication();
app.UseMiddleware<RateLimitMiddleware>();
app.UseApiKeyScopes();
app.UseAuthorization();
app.UseMiddleware<ControlCharacterGuard>();
app.UseOutputCache();

app.MapDefaultEndpoints();
app.MapOpenApi();
if (app.Environment.IsDevelopment())
{
    app.MapScalarApiReference();
}

app.MapGet("/", () => TypedResults.Ok(new ServiceInfo("azora-api", typeof(Program).Assembly.GetName().Version?.ToString() ?? "0.0.0")))
    .WithName("GetServiceInfo");
app.MapAuthEndpoints();
app.MapApiKeyEndpoints();
app.MapEducationEndpoints();
app.MapCourseManagementEndpoints();
app.MapPaymentEndpoints();
app.MapWebhookEndpoints();
app.MapAdminEndpoints();

app.Run();

internal sealed record ServiceInfo(string Service, string Version);
