namespace Azora.Api.RateLimiting;

/// <summary>
/// Endpoint metadata: the request also counts against the strict per-address credentials limit. Matched on the
/// routed endpoint, not the raw path, so <c>/api/auth/login/</c> or any other spelling routing accepts is counted too.
/// </summary>
public sealed class CredentialsLimit
{
    public static readonly CredentialsLimit Instance = new();

    private CredentialsLimit()
    {
    }
}

public static class CredentialsLimitExtensions
{
    public static RouteHandlerBuilder WithCredentialsLimit(this RouteHandlerBuilder endpoint) => endpoint.WithMetadata(CredentialsLimit.Instance);
}
