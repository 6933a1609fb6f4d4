namespace Azora.Client;

/// <summary>Why a webhook delivery was refused.</summary>
public enum AzoraWebhookFailure
{
    /// <summary>The signature header or the body is not what Azora sends (no <c>t</c>, no <c>v1</c>, not an event).</summary>
    Malformed,

    /// <summary>The signature is right but its timestamp is further from now than the tolerance: a replay, or a clock astray.</summary>
    Stale,

    /// <summary>No <c>v1</c> value is the HMAC of this body with any of the secrets: forged, altered, or a wrong secret.</summary>
    SignatureMismatch,
}

/// <summary>A webhook delivery that must not be trusted; answer it with a 4xx and do nothing it asks.</summary>
public sealed class AzoraWebhookVerificationException(AzoraWebhookFailure failure, string message) : Exception(message)
{
    /// <summary>What was wrong.</summary>
    public AzoraWebhookFailure Failure { get; } = failure;
}
