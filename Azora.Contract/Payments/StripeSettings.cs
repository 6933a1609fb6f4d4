using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Stripe;

namespace Azora.Contract.Payments;

/// <summary>Settings under <c>Azora:Stripe</c>, shared by the API (creates intents) and the worker (webhooks, reconciliation).</summary>
public sealed class StripeSettings
{
    public const string Section = "Azora:Stripe";

    /// <summary>A secret key (<c>sk_test_…</c> or <c>sk_live_…</c>); empty = payments unavailable.</summary>
    public string? SecretKey { get; set; }

    /// <summary>
    /// Where Stripe's API is; set to the emulator locally (and in Staging if the emulator is deployed there), empty
    /// for Stripe itself. Refused in Production: the secret key goes with every request to this host.
    /// </summary>
    public string? ApiBase { get; set; }

    /// <summary>The endpoint secret (<c>whsec_…</c>) that signs webhooks to the worker.</summary>
    public string? WebhookSecret { get; set; }

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries of a failed Stripe request (network errors, 5xx, 409), with Stripe.net's backoff and idempotency keys.</summary>
    public int MaxNetworkRetries { get; set; } = 2;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(SecretKey);

    public IStripeClient CreateClient() => new StripeClient(
        SecretKey,
        httpClient: new SystemNetHttpClient(new HttpClient { Timeout = RequestTimeout }, MaxNetworkRetries),
        apiBase: string.IsNullOrWhiteSpace(ApiBase) ? null : ApiBase.TrimEnd('/'));
}

public static class StripeSettingsRegistration
{
    /// <summary>
    /// Binds <see cref="StripeSettings"/> and stops the start in Production when <c>Azora:Stripe:ApiBase</c> is set, so
    /// a live key is never sent to another host than Stripe.
    /// </summary>
    public static OptionsBuilder<StripeSettings> AddStripeSettings(this IServiceCollection services) =>
        services.AddOptions<StripeSettings>().BindConfiguration(StripeSettings.Section)
            .Validate<IHostEnvironment>(
                (settings, environment) => !environment.IsProduction() || string.IsNullOrWhiteSpace(settings.ApiBase),
                $"{StripeSettings.Section}:ApiBase is set: it sends every Stripe request, with the secret key, to that host instead of "
                + "Stripe. It is for Development and Staging (the Stripe emulator) and refused in Production; remove it.")
            .ValidateOnStart();
}
