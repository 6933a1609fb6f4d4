using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Azora.Api.Auth.Tokens;

/// <summary>Claim names in Azora's access tokens.</summary>
public static class AzoraClaims
{
    public const string Subject = JwtRegisteredClaimNames.Sub;
    public const string TokenId = JwtRegisteredClaimNames.Jti;
    public const string Session = "sid";
    public const string Roles = "roles";
    public const string Email = JwtRegisteredClaimNames.Email;
    public const string Name = JwtRegisteredClaimNames.Name;
}

public sealed record AccessToken(string Token, string TokenId, DateTimeOffset ExpiresAt);

/// <summary>Signs RS256 access tokens: issuer, audience, expiry, a unique <c>jti</c>, the session and the roles.</summary>
public sealed class AccessTokenIssuer(SigningKeyRing keys, IOptions<AuthOptions> options, TimeProvider time)
{
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };

    public AccessToken Issue(Guid userId, Guid sessionId, string email, string name, IReadOnlyList<string> roles)
    {
        var now = time.GetUtcNow();
        var expiresAt = now + options.Value.AccessTokenLifetime;
        var tokenId = Guid.NewGuid().ToString("N");
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Value.Issuer,
            Audience = options.Value.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expiresAt.UtcDateTime,
            SigningCredentials = keys.SigningCredentials,
            Claims = new Dictionary<string, object>
            {
                [AzoraClaims.Subject] = userId.ToString(),
                [AzoraClaims.TokenId] = tokenId,
                [AzoraClaims.Session] = sessionId.ToString(),
                [AzoraClaims.Email] = email,
                [AzoraClaims.Name] = name,
                [AzoraClaims.Roles] = roles.ToArray(),
            },
        });
        return new AccessToken(token, tokenId, expiresAt);
    }
}
