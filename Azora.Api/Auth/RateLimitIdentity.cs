using Azora.Api.RateLimiting;

namespace Azora.Api.Auth;

/// <summary>A request with a valid access token counts against its user's limit.</summary>
public sealed class RateLimitIdentity : IRateLimitIdentity
{
    public string? UserKeyOf(HttpContext http) => CurrentUser.UserIdOf(http.User)?.ToString("N");
}
