using System.Security.Claims;
using Azora.Api.Auth.Tokens;

namespace Azora.Api.Auth;

/// <summary>Who an authenticated request comes from, read from the validated access token.</summary>
public sealed record CurrentUser(Guid UserId, Guid SessionId, string TokenId, DateTimeOffset ExpiresAt)
{
    public static CurrentUser From(ClaimsPrincipal principal)
    {
        var expires = long.Parse(principal.FindFirstValue("exp") ?? throw new InvalidOperationException("The access token has no exp."));
        return new CurrentUser(
            Guid.Parse(principal.FindFirstValue(AzoraClaims.Subject)!),
            Guid.Parse(principal.FindFirstValue(AzoraClaims.Session)!),
            principal.FindFirstValue(AzoraClaims.TokenId)!,
            DateTimeOffset.FromUnixTimeSeconds(expires));
    }

    public static Guid? UserIdOf(ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(AzoraClaims.Subject), out var id) ? id : null;
}
