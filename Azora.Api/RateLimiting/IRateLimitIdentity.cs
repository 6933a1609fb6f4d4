namespace Azora.Api.RateLimiting;

/// <summary>
/// Who a signed-in request counts against. Rate limiting knows nothing of tokens or claims: whoever authenticates
/// requests (Auth) supplies this, so the dependency runs one way, from Auth to RateLimiting.
/// </summary>
public interface IRateLimitIdentity
{
    /// <summary>The caller's key for the per-user limit, or null for an anonymous request (limited per client address).</summary>
    string? UserKeyOf(HttpContext http);
}
