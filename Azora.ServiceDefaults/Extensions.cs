using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// What every Azora service shares: logs (JSON lines outside Development), OpenTelemetry (OTLP and Prometheus), health
/// checks, resilient service-discovered HTTP clients, and a bounded graceful shutdown.
/// </summary>
public static class Extensions
{
    public const string HealthEndpointPath = "/health";
    public const string AlivenessEndpointPath = "/alive";
    public const string MetricsEndpointPath = "/metrics";

    /// <summary>Health checks with this tag are part of <c>/alive</c> (the process itself), all others only of <c>/health</c>.</summary>
    public const string LiveTag = "live";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureLogging();
        builder.ConfigureOpenTelemetry();
        builder.AddDefaultHealthChecks();

        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http =>
        {
            http.AddStandardResilienceHandler();
            http.AddServiceDiscovery();
        });

        // Kubernetes sends SIGTERM and waits terminationGracePeriodSeconds (30 s by default): finish the work in hand
        // within a shorter bound so the pod is never killed mid-request.
        builder.Services.Configure<HostOptions>(options =>
            options.ShutdownTimeout = builder.Configuration.GetValue("Azora:ShutdownTimeout", TimeSpan.FromSeconds(25)));

        return builder;
    }

    /// <summary>
    /// Outside Development, one JSON object per line on stdout, as docs/operations/OPERATIONS-RUNBOOK.md#read-logs
    /// describes it: <c>Timestamp</c> (UTC), <c>EventId</c>, <c>LogLevel</c>, <c>Category</c>, <c>Message</c>,
    /// <c>Exception</c> (when there is one), <c>State</c> (the message's named values) and <c>Scopes</c>. A line written
    /// inside an activity (an HTTP request, a relay pass) has that activity's ids in its first scope:
    /// <c>"Scopes":[{"Message":"SpanId:…, TraceId:…","SpanId":"…","TraceId":"…"},…]</c>, the same <c>traceId</c> a
    /// problem response carries. Development keeps the readable console.
    /// </summary>
    public static TBuilder ConfigureLogging<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.Configure(options => options.ActivityTrackingOptions = ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId);
        if (builder.Environment.IsDevelopment())
        {
            return builder;
        }

        builder.Logging.AddJsonConsole(options =>
        {
            options.IncludeScopes = true;
            options.UseUtcTimestamp = true;
            options.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
            // Quotes, backslashes and control characters are still escaped, so a value can never fake a field; the
            // relaxed encoder only leaves non-ASCII text and characters such as + and < readable.
            options.JsonWriterOptions = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        });
        return builder;
    }

    public static TBuilder ConfigureOpenTelemetry<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var exportsOverOtlp = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        builder.Services.AddOpenTelemetry()
            .WithMetrics(metrics =>
            {
                if (exportsOverOtlp)
                {
                    // The Aspire dashboard or a collector: everything ASP.NET Core measures, to explore.
                    metrics.AddAspNetCoreInstrumentation();
                }
                else
                {
                    // Only Prometheus scrapes: the meters its rules and dashboards read (request duration, connections,
                    // exceptions). The others that AddAspNetCoreInstrumentation turns on (routing, authentication,
                    // authorization, the memory pool) record on every request and were 6 % of a cached request's CPU.
                    metrics.AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Diagnostics");
                }

                metrics
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddMeter("Azora.*")
                    .AddPrometheusExporter();
            })
            .WithTracing(tracing =>
            {
                tracing
                    .AddSource(builder.Environment.ApplicationName)
                    .AddSource("Azora.*")
                    .AddAspNetCoreInstrumentation(options =>
                        // Probes and scrapes every few seconds would drown the real traces.
                        options.Filter = context => !IsInfrastructurePath(context.Request.Path))
                    .AddHttpClientInstrumentation();
                if (!exportsOverOtlp && string.IsNullOrWhiteSpace(builder.Configuration["OTEL_TRACES_SAMPLER"]))
                {
                    // Nothing receives traces, so none is recorded; every request still gets a trace id, which its log
                    // lines, its error answers and its outgoing calls carry. OTEL_TRACES_SAMPLER overrides this.
                    tracing.SetSampler(new AlwaysOffSampler());
                }
            });

        if (exportsOverOtlp)
        {
            builder.Services.AddOpenTelemetry().UseOtlpExporter();
        }

        return builder;
    }

    public static TBuilder AddDefaultHealthChecks<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag]);
        return builder;
    }

    /// <summary>
    /// Maps <c>/alive</c>, <c>/health</c> and <c>/metrics</c> in every environment: Kubernetes probes and Prometheus
    /// scrapes need them in production too. None of them reveals more than check names and states.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.MapHealthChecks(HealthEndpointPath, new HealthCheckOptions { ResponseWriter = HealthResponseWriter.WriteAsync })
            .DisableHttpMetrics();
        app.MapHealthChecks(AlivenessEndpointPath, new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(LiveTag),
            ResponseWriter = HealthResponseWriter.WriteAsync,
        }).DisableHttpMetrics();
        app.MapPrometheusScrapingEndpoint(MetricsEndpointPath).DisableHttpMetrics();
        return app;
    }

    private static bool IsInfrastructurePath(PathString path) =>
        path.StartsWithSegments(HealthEndpointPath)
        || path.StartsWithSegments(AlivenessEndpointPath)
        || path.StartsWithSegments(MetricsEndpointPath);
}
