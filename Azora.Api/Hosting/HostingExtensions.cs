using System.Text.Json.Serialization;
using Azora.Api.Auth.ApiKeys;
using Azora.Api.Auth.Tokens;
using Azora.Api.RateLimiting;
using Azora.Api.Validation;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace Azora.Api.Hosting;

/// <summary>How the API process is hosted: its limits, its clock, its readiness, and the order requests pass the middleware.</summary>
public static class HostingExtensions
{
    public const string MaxRequestBodyBytesKey = "Azora:Api:MaxRequestBodyBytes";

    /// <summary>
    /// True when the build-time OpenAPI generator (Microsoft.Extensions.ApiDescription.Server's GetDocument.Insider)
    /// runs this program only to read its endpoints: it has no signing keys, no Redis and no operator command to run.
    /// </summary>
    public static bool IsGeneratingOpenApiDocument { get; } =
        System.Reflection.Assembly.GetEntryAssembly()?.GetName().Name == "GetDocument.Insider";

    public static WebApplicationBuilder AddAzoraHosting(this WebApplicationBuilder builder)
    {
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
        // Numbers are JSON numbers: the web defaults also read "12" as 12, which made every integer in the contract
        // `integer | string`.
        builder.Services.ConfigureHttpJsonOptions(json => json.SerializerOptions.NumberHandling = JsonNumberHandling.Strict);
        builder.WebHost.ConfigureKestrel(kestrel =>
            kestrel.Limits.MaxRequestBodySize = builder.Configuration.GetValue<long>(MaxRequestBodyBytesKey, 1024 * 1024));
        return builder;
    }

    /// <summary>
    /// When the build only generates the OpenAPI document, leaves out the API's own background work (the sample
    /// catalog, the API key change listener): the generator starts the host, with a server that never listens, and a
    /// build has no PostgreSQL for them. Call it after every service is registered.
    /// </summary>
    public static WebApplicationBuilder SkipBackgroundWorkWhenGeneratingOpenApiDocument(this WebApplicationBuilder builder)
    {
        if (IsGeneratingOpenApiDocument)
        {
            var ours = builder.Services
                .Where(service => service.ServiceType == typeof(IHostedService) && service.ImplementationType?.Assembly == typeof(HostingExtensions).Assembly)
                .ToList();
            foreach (var service in ours)
            {
                builder.Services.Remove(service);
            }
        }

        return builder;
    }

    /// <summary>Resolves what would otherwise fail or lag at the first request.</summary>
    public static WebApplication StartDependenciesEagerly(this WebApplication app)
    {
        // Fails start-up at once when the signing keys are missing or broken, not at the first login.
        app.Services.GetRequiredService<SigningKeyRing>();
        // Connects to Redis before the first request: until it is connected, rate limits, revocations and the cache are skipped.
        app.Services.GetRequiredService<IConnectionMultiplexer>();
        return app;
    }

    /// <summary>
    /// The middleware, in the order a request meets it: errors are caught around everything after them, the caller is
    /// known before they are counted against a limit, and limits are spent before any endpoint (or the cache) answers.
    /// </summary>
    public static WebApplication UseAzoraMiddleware(this WebApplication app)
    {
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
        return app;
    }
}
