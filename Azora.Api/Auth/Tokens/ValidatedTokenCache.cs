using System.Collections.Concurrent;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Azora.Api.Auth.Tokens;

/// <summary>
/// JWT validation that remembers the access tokens it found valid, so a token's RS256 signature is checked once per
/// replica rather than on every request. An entry is the exact token string (any other string, a tampered one too, is
/// validated in full), lives no longer than the token's <c>exp</c>, and only valid results are kept. Revocation is not
/// cached here: <see cref="TokenRevocations"/> is asked on every request. Signing keys, issuer and audience are fixed
/// for the life of the process, so nothing else can make a remembered token invalid.
/// </summary>
public sealed class ValidatedTokenCache(TimeProvider time) : JsonWebTokenHandler
{
    /// <summary>Enough for every token in use on a replica within an access-token lifetime; beyond it, entries are dropped.</summary>
    public const int MaximumEntries = 20_000;

    private readonly ConcurrentDictionary<string, Validated> _validated = new(StringComparer.Ordinal);

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        var now = time.GetUtcNow();
        if (_validated.TryGetValue(token, out var hit))
        {
            if (now < hit.ExpiresAt)
            {
                return new TokenValidationResult
                {
                    IsValid = true,
                    // A copy: the request's principal may be changed (claims added) and must not leak into the next one.
                    ClaimsIdentity = hit.Result.ClaimsIdentity.Clone(),
                    SecurityToken = hit.Result.SecurityToken,
                    Issuer = hit.Result.Issuer,
                    TokenType = hit.Result.TokenType,
                };
            }

            _validated.TryRemove(new KeyValuePair<string, Validated>(token, hit));
        }

        var result = await base.ValidateTokenAsync(token, validationParameters);
        if (result.IsValid && result.SecurityToken is JsonWebToken { ValidTo: var validTo } && validTo != DateTime.MinValue)
        {
            // Not the validation's clock skew: an entry ends at exp itself, and a later request is validated in full.
            var expiresAt = new DateTimeOffset(DateTime.SpecifyKind(validTo, DateTimeKind.Utc));
            if (expiresAt > now)
            {
                MakeRoom(now);
                _validated[token] = new Validated(result, expiresAt);
            }
        }

        return result;
    }

    private void MakeRoom(DateTimeOffset now)
    {
        if (_validated.Count < MaximumEntries)
        {
            return;
        }

        foreach (var (token, entry) in _validated)
        {
            if (entry.ExpiresAt <= now)
            {
                _validated.TryRemove(new KeyValuePair<string, Validated>(token, entry));
            }
        }

        if (_validated.Count >= MaximumEntries)
        {
            _validated.Clear();
        }
    }

    private sealed record Validated(TokenValidationResult Result, DateTimeOffset ExpiresAt);
}
