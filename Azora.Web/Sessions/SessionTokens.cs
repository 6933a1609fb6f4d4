using System.Globalization;
using System.Security.Claims;
using Azora.Client;
using Microsoft.AspNetCore.Authentication;

namespace Azora.Web.Sessions;

/// <summary>The API tokens and the store key a portal session keeps in its (server-side) authentication properties.</summary>
internal static class SessionTokens
{
    private const string SessionKey = "azora.session";
    private const string AccessToken = "access_token";
    private const string RefreshToken = "refresh_token";
    private const string ExpiresAt = "expires_at";

    public static string? SessionKeyOf(AuthenticationProperties properties) => properties.Items.TryGetValue(SessionKey, out var key) ? key : null;

    public static AuthenticationProperties NewProperties(AzoraSession session, DateTimeOffset now)
    {
        var properties = new AuthenticationProperties
        {
            IsPersistent = true,
            IssuedUtc = now,
            ExpiresUtc = now + PortalSessions.Lifetime,
            AllowRefresh = false,
        };
        properties.Items[SessionKey] = Guid.NewGuid().ToString("N");
        Write(properties, session);
        return properties;
    }

    public static void Write(AuthenticationProperties properties, AzoraSession session) => properties.StoreTokens(
    [
        new AuthenticationToken { Name = AccessToken, Value = session.AccessToken },
        new AuthenticationToken { Name = RefreshToken, Value = session.RefreshToken },
        new AuthenticationToken { Name = ExpiresAt, Value = session.ExpiresAt.ToString("o", CultureInfo.InvariantCulture) },
    ]);

    public static AzoraSession? Read(AuthenticationProperties properties) =>
        properties.GetTokenValue(AccessToken) is { } access
        && properties.GetTokenValue(RefreshToken) is { } refresh
        && DateTimeOffset.TryParse(properties.GetTokenValue(ExpiresAt), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var expiresAt)
            ? new AzoraSession(access, refresh, expiresAt, null)
            : null;

    /// <summary>Who signed in, as the API described them when it issued the tokens: id, email, name and roles.</summary>
    public static ClaimsPrincipal Principal(AzoraSession session)
    {
        var user = session.User ?? throw new InvalidOperationException("The API issued tokens without describing the user.");
        var identity = new ClaimsIdentity(PortalSessions.Scheme, ClaimTypes.Name, ClaimTypes.Role);
        identity.AddClaim(new Claim(ClaimTypes.NameIdentifier, user.Id?.ToString() ?? ""));
        identity.AddClaim(new Claim(ClaimTypes.Email, user.Email ?? ""));
        identity.AddClaim(new Claim(ClaimTypes.Name, string.IsNullOrWhiteSpace(user.Name) ? user.Email ?? "" : user.Name));
        foreach (var role in user.Roles ?? [])
        {
            if (role is { } known)
            {
                identity.AddClaim(new Claim(ClaimTypes.Role, known.ToString().ToLowerInvariant()));
            }
        }

        return new ClaimsPrincipal(identity);
    }
}
