using System.Security.Claims;
using System.Text.Encodings.Web;
using Azora.Api.Auth.Tokens;
using Azora.Api.Errors;
using Azora.Api.RateLimiting;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace Azora.Api.Auth.ApiKeys;

public static class ApiKeyAuthentication
{
    /// <summary>The default scheme: forwards <c>Bearer azk_…</c> to <see cref="Scheme"/> and every other request to JWT bearer.</summary>
    public const string SelectorScheme = "AccessTokenOrApiKey";
    public const string Scheme = "ApiKey";
    public const string KeyIdClaim = "azora_key";
    public const string ScopeClaim = "scope";

    private const string BearerPrefix = "Bearer ";

    /// <summary>The API key in the Authorization header, or null when the header holds anything else.</summary>
    public static string? KeyOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var credential = header[BearerPrefix.Length..].Trim();
        return ApiKeyTokens.LooksLikeKey(credential) ? credential : null;
    }

    public static string SelectScheme(HttpContext http) => KeyOf(http.Request) is null ? JwtBearerDefaults.AuthenticationScheme : Scheme;

    public static string? KeyIdOf(ClaimsPrincipal user) => user.FindFirst(KeyIdClaim)?.Value;
}

/// <summary>
/// Authenticates <c>Authorization: Bearer azk_…</c> as the key's owner, with the owner's roles as they are now (never as
/// they were when the key was made), the key's scopes, and a rate-limit partition of its own. Refused: unknown, revoked
/// or expired keys, and keys whose owner is disabled or no longer an instructor or admin.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiKeyStore store, ApiKeyCache cache, TimeProvider clock)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    private static readonly TimeSpan LastUsedResolution = TimeSpan.FromMinutes(1);

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = ApiKeyAuthentication.KeyOf(Request);
        if (key is null)
        {
            return AuthenticateResult.NoResult();
        }

        if (key.Length > ApiKeyTokens.MaximumLength)
        {
            return AuthenticateResult.Fail("The API key is not valid.");
        }

        var now = clock.GetUtcNow();
        var hash = ApiKeyTokens.Hash(key);
        var cacheKey = Convert.ToBase64String(hash);
        var found = cache.Find(cacheKey, now);
        if (found is null)
        {
            var generation = cache.Generation;
            found = await store.FindAsync(hash, Context.RequestAborted);
            if (found is null)
            {
                return AuthenticateResult.Fail("The API key is not valid.");
            }

            cache.Add(cacheKey, found, generation, now);
        }

        var refusal = found switch
        {
            { RevokedAt: not null } => "The API key has been revoked.",
            { ExpiresAt: { } expiresAt } when expiresAt <= now => "The API key has expired.",
            { Disabled: true } => "The API key's owner has been disabled.",
            _ when !found.Roles.Any(role => role is Roles.Instructor or Roles.Admin) => "The API key's owner is no longer an instructor or admin.",
            _ => null,
        };
        if (refusal is not null)
        {
            return AuthenticateResult.Fail(refusal);
        }

        if (found.LastUsedAt is not { } lastUsed || now - lastUsed >= LastUsedResolution)
        {
            cache.Touched(cacheKey, now);
            await store.TouchAsync(found.KeyId, now, Context.RequestAborted);
        }

        Context.Features.Set(new RateLimitSubject($"apikey:{found.KeyId:N}"));
        return AuthenticateResult.Success(new AuthenticationTicket(Principal(found), Scheme.Name));
    }

    private ClaimsPrincipal Principal(ApiKeyOwner key)
    {
        var claims = new List<Claim>
        {
            new(AzoraClaims.Subject, key.UserId.ToString()),
            new(AzoraClaims.Email, key.Email),
            new(AzoraClaims.Name, key.UserName),
            new(ApiKeyAuthentication.KeyIdClaim, key.KeyId.ToString()),
        };
        claims.AddRange(key.Roles.Select(role => new Claim(AzoraClaims.Roles, role)));
        claims.AddRange(key.Scopes.Select(scope => new Claim(ApiKeyAuthentication.ScopeClaim, scope)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme.Name, AzoraClaims.Name, AzoraClaims.Roles));
    }

    /// <summary>A 401 in the API's problem format, saying why the key was refused.</summary>
    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer error=\"invalid_token\"";
        await Context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status401Unauthorized,
                Detail = result.Failure?.Message ?? "The API key is not valid.",
                Extensions = { ["code"] = ErrorCodes.Unauthorized },
            },
        });
    }
}
