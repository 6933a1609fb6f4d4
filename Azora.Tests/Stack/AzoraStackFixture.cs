using Aspire.Hosting;
using Azora.Testing.Contract;
using Microsoft.Extensions.DependencyInjection;

namespace Azora.Tests.Stack;

/// <summary>
/// The whole AppHost, started once for every test in <see cref="StackCollection"/>, in local-process mode (PostgreSQL
/// from the machine's binaries, a Redis-protocol server) with its own throw-away data directory and random ports, so
/// it never collides with a developer's running stack or another test run.
/// </summary>
public sealed class AzoraStackFixture : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The stack has not started.");

    public string DataDirectory { get; } = TestDirectories.CreateReachableByPostgres("stack");

    public async Task InitializeAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var builder = await LocalAppHost.CreateBuilderAsync(DataDirectory, StripeWebhookSecret, timeout.Token);
        builder.Services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());

        // Reconciliation looks often and at young payments, so a test can watch it heal a lost webhook.
        builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(resource => resource.Name == "payments"))
            .WithEnvironment("Azora__Payments__Reconciliation__Interval", "00:00:01")
            .WithEnvironment("Azora__Payments__Reconciliation__MinimumAge", "00:00:30")
            // Webhook retries in seconds rather than minutes, so tests can watch them.
            .WithEnvironment("Azora__Webhooks__PollInterval", "00:00:00.200")
            .WithEnvironment("Azora__Webhooks__Timeout", "00:00:02")
            .WithEnvironment("Azora__Webhooks__FirstRetryDelay", "00:00:01")
            .WithEnvironment("Azora__Webhooks__MaximumRetryDelay", "00:00:08")
            .WithEnvironment("Azora__Webhooks__MaximumAttempts", "6")
            // Mail likewise: retries within seconds, and a short lease, so a killed worker's messages go again soon.
            .WithEnvironment("Azora__Mail__Sender__PollInterval", "00:00:00.200")
            .WithEnvironment("Azora__Mail__Sender__FirstRetryDelay", "00:00:01")
            .WithEnvironment("Azora__Mail__Sender__MaximumRetryDelay", "00:00:04")
            .WithEnvironment("Azora__Mail__Sender__MaximumAttempts", "30")
            .WithEnvironment("Azora__Mail__Sender__Lease", "00:00:10")
            .WithEnvironment("Azora__Mail__Smtp__Timeout", "00:00:02");

        // A publishable key beside the emulator, so tests can read the Payment Element page (the emulator still takes cards).
        builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(resource => resource.Name == "web"))
            .WithEnvironment("Azora__Web__Stripe__PublishableKey", StripePublishableKey);

        // Not the default 24 hours, so the rotation test shows the setting is read.
        var api = builder.Resources.OfType<ProjectResource>().Single(resource => resource.Name == "api");
        builder.CreateResourceBuilder(api).WithEnvironment("Azora__Webhooks__SecretRotationGrace", "02:00:00");

        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("api", timeout.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("payments", timeout.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("stripe", timeout.Token);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("mail", timeout.Token);
    }

    /// <summary>The secret the Stripe emulator signs webhooks with (a test value), so tests can sign or forge events.</summary>
    public const string StripeWebhookSecret = "whsec_test_azora_stack";

    /// <summary>The publishable key the test stack's portal shows on its Payment Element page (a test value).</summary>
    public const string StripePublishableKey = "pk_test_azora_stack";

    /// <summary>The Stripe emulator's own address, for its card-outcome and fault controls.</summary>
    public HttpClient CreateStripeEmulatorClient() => new() { BaseAddress = App.GetEndpoint("stripe", "http") };

    /// <summary>The stack's mail catcher (smtp4dev): every message the worker sends ends up there.</summary>
    internal MailCatcher CreateMailCatcher() => new(App.GetEndpoint("mail", "http"));

    /// <summary>A plain client for the payments worker (its Stripe webhook endpoint).</summary>
    public HttpClient CreatePaymentsClient() => new() { BaseAddress = App.GetEndpoint("payments", "http") };

    /// <summary>The stack's Development signing key, which tests use to forge tokens the API must refuse.</summary>
    public string SigningKeyFile => Path.Combine(DataDirectory, "jwt-signing-key.pem");

    /// <summary>
    /// A plain client for the API: unlike <c>CreateHttpClient</c> it never retries, so a 429 or a 5xx reaches the test.
    /// Every response it receives is checked against the OpenAPI document (<see cref="ContractValidatingHandler"/>).
    /// </summary>
    public HttpClient CreateApiClient() => new(new ContractValidatingHandler()) { BaseAddress = App.GetEndpoint("api", "http") };

    public async Task<string> ConnectionStringAsync(string name) =>
        await App.GetConnectionStringAsync(name) ?? throw new InvalidOperationException($"No connection string '{name}'.");

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        Directory.Delete(DataDirectory, recursive: true);
    }
}

[CollectionDefinition(Name)]
public sealed class StackCollection : ICollectionFixture<AzoraStackFixture>
{
    public const string Name = "Azora stack";
}
