using Azora.Api.Admin;
using Azora.Api.Auth;
using Azora.Api.Auth.ApiKeys;
using Azora.Api.Auth.Recovery;
using Azora.Api.Common;
using Azora.Api.Education;
using Azora.Api.Education.Authoring;
using Azora.Api.Education.Catalog;
using Azora.Api.Education.Learning;
using Azora.Api.Errors;
using Azora.Api.Hosting;
using Azora.Api.OpenApi;
using Azora.Api.Payments;
using Azora.Api.Privacy;
using Azora.Api.RateLimiting;
using Azora.Api.Webhooks;
using Azora.Contract.Mail;
using Azora.Contract.Payments;
using Azora.Contract.Webhooks;
using Azora.ServiceDefaults;

// `admin create`: the operator's one-shot command (Admin/AdminCommand.cs); it never starts the web host. It does not run
// when the build only generates the OpenAPI document (obj/openapi/v1.json), and neither does the eager start below.
if (!HostingExtensions.IsGeneratingOpenApiDocument && AdminCommand.IsCommand(args)) { Environment.ExitCode = await AdminCommand.RunAsync(args); return; }

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddDatabaseAndCache();
// Optional: public catalog reads from a read replica (ConnectionStrings:azora-read), everything else from the primary.
if (builder.AddReadDatabase())
{
    builder.Services.AddHostedService<ReadReplicaListener>();
}

builder.AddAzoraHosting();
builder.Services.AddAzoraErrors();
builder.Services.AddAzoraAuth();
// Mail is written to the outbox with the change that causes it; the payments worker sends it.
builder.Services.AddMailOutbox();
builder.Services.AddPasswordReset();
builder.Services.AddAccountPrivacy();
builder.Services.AddAzoraRateLimits(builder.Configuration);
builder.Services.AddAzoraOpenApi();
builder.Services.AddAzoraEducation();
// Stripe:ApiBase (the emulator), and plain http and loopback webhook targets, only outside Production.
builder.Services.AddStripeSettings();
builder.Services.AddSingleton<PaymentService>();
builder.Services.AddWebhookTargetGuard();
builder.Services.AddWebhookSubscriptions();
builder.Services.AddAzoraAdmin();
builder.SkipBackgroundWorkWhenGeneratingOpenApiDocument();

var app = builder.Build();

// The build-time generator starts the host only to read the endpoints: no request ever reaches the middleware, whose
// Redis clients (rate limits, output cache) a build has no server for.
if (!HostingExtensions.IsGeneratingOpenApiDocument)
{
    app.StartDependenciesEagerly();
    app.UseAzoraMiddleware();
}

app.MapDefaultEndpoints();
app.MapAzoraOpenApi();
app.MapServiceInfo("azora-api");
app.MapAuthEndpoints();
app.MapPasswordResetEndpoints();
app.MapAccountEndpoints();
app.MapApiKeyEndpoints();
app.MapCatalogEndpoints();
app.MapLearningEndpoints();
app.MapAuthoringEndpoints();
app.MapPaymentEndpoints();
app.MapWebhookEndpoints();
app.MapAdminEndpoints();

app.Run();
