using Azora.Api.Admin;
using Azora.Api.Auth;
using Azora.Api.Auth.ApiKeys;
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
using Azora.Contract.Payments;
using Azora.Contract.Webhooks;
using Azora.ServiceDefaults;

// `admin create`: the operator's one-shot command (Admin/AdminCommand.cs); it never starts the web host.
if (AdminCommand.IsCommand(args)) { Environment.ExitCode = await AdminCommand.RunAsync(args); return; }

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
builder.Services.AddWebhookTargetGuard();
builder.Services.AddWebhookSubscriptions();
builder.Services.AddAzoraAdmin();

var app = builder.Build();

app.StartDependenciesEagerly();
app.UseAzoraMiddleware();

app.MapDefaultEndpoints();
app.MapAzoraOpenApi();
app.MapServiceInfo("azora-api");
app.MapAuthEndpoints();
app.MapApiKeyEndpoints();
app.MapCatalogEndpoints();
app.MapLearningEndpoints();
app.MapAuthoringEndpoints();
app.MapPaymentEndpoints();
app.MapWebhookEndpoints();
app.MapAdminEndpoints();

app.Run();
