// Compiled into Azora.Tests and Azora.EndToEnd.
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace Azora.Testing;

/// <summary>How the test suites start the whole AppHost of their own.</summary>
internal static class LocalAppHost
{
    /// <summary>
    /// The AppHost in local-process mode (PostgreSQL from the machine's binaries, a Redis-protocol server) with its own
    /// data directory, random ports and the given emulator webhook secret; no dashboard and no OTLP export; and the
    /// API's anonymous and credential limits raised, because every test signs up from one client address (the limits
    /// themselves are tested on API instances with small limits of their own); and the portal refreshing tokens on every
    /// request. <paramref name="arguments"/> go to the
    /// AppHost after these.
    /// </summary>
    public static async Task<IDistributedApplicationTestingBuilder> CreateBuilderAsync(
        string dataDirectory, string stripeWebhookSecret, CancellationToken cancellationToken, IEnumerable<string>? arguments = null)
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Azora_AppHost>(
            ["--Azora:Infrastructure=local", $"--Azora:DataDirectory={dataDirectory}", $"--Azora:Stripe:EmulatorWebhookSecret={stripeWebhookSecret}", .. arguments ?? []],
            (options, _) => options.DisableDashboard = true,
            cancellationToken);

        foreach (var service in builder.Resources.OfType<ProjectResource>())
        {
            // Without a dashboard nothing listens for OTLP; exporting to it anyway costs each service CPU every second.
            builder.CreateResourceBuilder(service).WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", "");
        }

        builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(resource => resource.Name == "api"))
            .WithEnvironment("Azora__RateLimits__Anonymous__PermitLimit", "1000000")
            .WithEnvironment("Azora__RateLimits__Credentials__PermitLimit", "1000000");
        // A margin longer than an access token lives: the portal refreshes a signed-in browser's tokens on every
        // request, so every portal test and journey exercises refreshing.
        builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(resource => resource.Name == "web"))
            .WithEnvironment("Azora__Web__Sessions__RefreshMargin", "00:20:00");
        return builder;
    }
}
