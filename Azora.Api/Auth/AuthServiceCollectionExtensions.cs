using Azora.Api.Auth.Accounts;
using Azora.Api.Auth.ApiKeys;
using Azora.Api.Auth.Passwords;
using Azora.Api.Auth.Tokens;
using Azora.Api.Auth.Verification;
using Azora.Api.Errors;
using Azora.Api.RateLimiting;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Net.Http.Headers;

namespace Azora.Api.Auth;

public static class AuthServiceCollectionExtensions
{
    public static IServiceCollection AddAzoraAuth(this IServiceCollection services)
    {
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(provider => SigningKeyRing.Load(
            provider.GetRequiredService<IOptions<AuthOptions>>().Value,
            provider.GetRequiredService<IHostEnvironment>(),
            provider.GetRequiredService<ILoggerFactory>().CreateLogger<SigningKeyRing>()));
        services.AddSingleton(_ => PasswordPolicy.FromBundledList());
        services.AddSingleton<IPasswordHasher<UserAccount>, PasswordHasher<UserAccount>>();
        services.AddSingleton<AccessTokenIssuer>();
        services.AddSingleton<TokenRevocations>();
        services.AddHostedService<TokenRevocationListener>();
        services.AddSingleton<AccountStore>();
        services.AddSingleton<AuthMetrics>();
        services.AddScoped<AuthService>();
        services.AddScoped<EmailVerification>();
        services.AddSingleton<IRateLimitIdentity, RateLimitIdentity>();

        // Access tokens (JWT bearer) and partner API keys (Bearer azk_…), told apart by the token's prefix.
        services.AddAuthentication(ApiKeyAuthentication.SelectorScheme).AddJwtBearer().AddAzoraApiKeys();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<SigningKeyRing, IOptions<AuthOptions>, TimeProvider>((jwt, keys, auth, time) =>
            {
                jwt.TokenHandlers.Clear();
                jwt.TokenHandlers.Add(new ValidatedTokenCache(time));
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = auth.Value.Issuer,
                    ValidAudience = auth.Value.Audience,
                    IssuerSigningKeys = keys.VerificationKeys,
                    // Only RS256: refuses "none" and HS256 signed with the public key (algorithm confusion).
                    ValidAlgorithms = [SecurityAlgorithms.RsaSha256],
                    RequireSignedTokens = true,
                    RequireExpirationTime = true,
                    ClockSkew = TimeSpan.FromSeconds(30),
                    NameClaimType = AzoraClaims.Name,
                    RoleClaimType = AzoraClaims.Roles,
                };
                jwt.Events = new JwtBearerEvents
                {
                    OnTokenValidated = RefuseRevokedTokensAsync,
                    OnChallenge = WriteChallengeAsync,
                };
            });
        services.AddAuthorizationBuilder()
            .AddPolicy(Roles.Authors, policy => policy.RequireRole(Roles.Instructor, Roles.Admin));
        return services;
    }

    private static async Task RefuseRevokedTokensAsync(TokenValidatedContext context)
    {
        var principal = context.Principal!;
        if (principal.FindFirst(AzoraClaims.TokenId) is null || !Guid.TryParse(principal.FindFirst(AzoraClaims.Session)?.Value, out var sessionId)
            || CurrentUser.UserIdOf(principal) is null || principal.FindFirst("exp") is null)
        {
            context.Fail("The access token lacks Azora's claims.");
            return;
        }

        var revocations = context.HttpContext.RequestServices.GetRequiredService<TokenRevocations>();
        if (await revocations.IsRevokedAsync(sessionId, context.HttpContext.RequestAborted))
        {
            context.Fail(new AccessTokenRevokedException("The access token has been revoked."));
        }
    }

    /// <summary>A 401 in the API's problem format, saying what was wrong with the token (never why a signature failed).</summary>
    private static async Task WriteChallengeAsync(JwtBearerChallengeContext context)
    {
        context.HandleResponse();
        var detail = context.AuthenticateFailure switch
        {
            null => "Sign in first: this endpoint needs an access token in the Authorization header (Bearer).",
            SecurityTokenExpiredException => "The access token has expired; exchange your refresh token for a new one.",
            AccessTokenRevokedException => "The access token has been revoked (the session was signed out).",
            _ => "The access token is not valid.",
        };
        var response = context.Response;
        response.StatusCode = StatusCodes.Status401Unauthorized;
        response.Headers[HeaderNames.WWWAuthenticate] = context.AuthenticateFailure is null ? "Bearer" : "Bearer error=\"invalid_token\"";
        var problems = context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context.HttpContext,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status401Unauthorized,
                Detail = detail,
                Extensions = { ["code"] = ErrorCodes.Unauthorized },
            },
        });
    }
}

/// <summary>A well-signed, unexpired token whose session was signed out (logout, password change, token theft).</summary>
public sealed class AccessTokenRevokedException(string message) : SecurityTokenException(message);
