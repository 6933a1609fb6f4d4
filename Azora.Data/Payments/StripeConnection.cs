using Stripe;

namespace Azora.Data.Payments;

/// <summary>Settings under <c>Azora:Stripe</c>, shared by the API (creates intents) and the worker (webhooks, reconciliation).</summary>
public sealed class StripeSettings
{
    public const string Section = "Azora:Stripe";

    /// <summary>A secret key (<c>sk_test_…</c> or <c>sk_live_…</c>); empty = payments unavailable.</summary>
    public string? SecretKey { get; set; }

    /// <summary>Where Stripe's API is; set to the emulator locally, empty for Stripe itself.</summary>
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
