using System.Net.Mail;
using System.Security.Claims;
using Azora.Api.Auth.Accounts;
using Azora.Api.Auth.Passwords;
using Azora.Api.Auth.Tokens;
using Azora.Api.Auth.Verification;
using Azora.Api.Common;
using Azora.Api.Errors;
using Azora.Api.OpenApi;
using Azora.Api.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Azora.Api.Auth;

/// <summary>Login, token refresh and logout, the profile, and the public signing keys (registration: Verification/).</summary>
public static class AuthEndpoints
{
    public const int MaximumEmailLength = 254;
    public const int MaximumNameLength = 100;
    public const int MaximumBioLength = 2000;
    private const int MaximumRefreshTokenLength = 128;

    public static IEndpointRouteBuilder MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/.well-known/jwks.json", (SigningKeyRing keys, HttpContext http) =>
            {
                http.Response.Headers.CacheControl = "public, max-age=300";
                return TypedResults.Json(keys.ToJwks(), contentType: "application/jwk-set+json");
            })
            .WithName("GetJsonWebKeySet")
            .WithTags("Auth")
            .WithSummary("The public keys that verify Azora access tokens (RFC 7517).")
            .WithDescription("Anonymous. RS256 keys by `kid`; during a key rotation both the new and the old key are listed. " +
                "Cache it as `Cache-Control` says (5 minutes) and fetch again on an unknown `kid`.")
            .Produces<PublicKeySet>(StatusCodes.Status200OK, "application/jwk-set+json")
            .AllowAnonymous();

        var auth = app.MapGroup("/api/auth").WithTags("Auth");

        // Register lives with email verification: its answer is the same whether or not the email is taken.
        auth.MapEmailVerificationEndpoints();

        auth.MapPost("/login", LoginAsync)
            .WithName("Login")
            .WithSummary("Exchanges an email and password for an access token and a refresh token.")
            .WithDescription("Anonymous, with the strict credentials rate limit, and a per-account limit on failed attempts (429). " +
                "Wrong credentials are 401 `INVALID_CREDENTIALS`; a disabled account is 403 `ACCOUNT_DISABLED`.")
            .Produces<TokenResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .WithCredentialsLimit()
            .WithNoStore()
            .AllowAnonymous();

        auth.MapPost("/refresh", RefreshAsync)
            .WithName("RefreshTokens")
            .WithSummary("Exchanges a refresh token for a new pair; the presented token stops working.")
            .WithDescription("Anonymous: the refresh token is the credential. Presenting a token that was already used closes " +
                "the whole session (401 `INVALID_REFRESH_TOKEN`); a session past its maximum lifetime is 401 `SESSION_EXPIRED`.")
            .Produces<TokenResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .WithNoStore()
            .AllowAnonymous();

        auth.MapPost("/logout", LogoutAsync)
            .WithName("Logout")
            .WithSummary("Ends this session: its refresh tokens and access tokens stop working.")
            .WithDescription("Any signed-in user. Other sessions of the same account are not affected.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .RequireAuthorization();

        auth.MapGet("/profile", GetProfileAsync)
            .WithName("GetProfile")
            .WithSummary("The signed-in user's profile.")
            .WithDescription("Any signed-in user.")
            .Produces<ProfileResponse>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization();

        auth.MapPatch("/profile", UpdateProfileAsync)
            .WithName("UpdateProfile")
            .WithSummary("Changes the name and/or bio; a field left out or null is unchanged, an empty bio clears it.")
            .WithDescription("Any signed-in user. Returns the whole profile after the change.")
            .Produces<ProfileResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization();

        auth.MapPost("/password", ChangePasswordAsync)
            .WithName("ChangePassword")
            .WithSummary("Changes the password and signs out every other session.")
            .WithDescription("Any signed-in user. A wrong current password is 400 naming `currentPassword`; the new one must " +
                "follow the password policy.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .RequireAuthorization();

        return app;
    }

    private static async Task<IResult> LoginAsync(LoginRequest request, AuthService service, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Email) || request.Email.Length > MaximumEmailLength)
        {
            errors["email"] = ["Enter the email you registered with."];
        }

        if (string.IsNullOrEmpty(request.Password) || PasswordPolicy.Length(request.Password) > PasswordPolicy.MaximumLength)
        {
            errors["password"] = ["Enter your password."];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        var outcome = await service.LoginAsync(request.Email!.Trim(), request.Password!, ClientKeys.Of(http), cancellationToken);
        if (outcome.Throttled is { } throttled)
        {
            return RateLimitResponses.TooManyRequests(http, throttled, "Too many sign-in attempts for this account from your address; try again later.");
        }

        if (outcome.Disabled)
        {
            return ApiProblems.Problem(StatusCodes.Status403Forbidden, ErrorCodes.AccountDisabled, "This account has been disabled by an administrator.");
        }

        return outcome.Tokens is { } tokens
            ? TypedResults.Ok(tokens)
            : ApiProblems.Unauthorized(ErrorCodes.InvalidCredentials, "The email or password is incorrect.");
    }

    private static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> RefreshAsync(
        RefreshRequest request, AuthService service, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.RefreshToken))
        {
            return ApiProblems.Validation("refreshToken", "A refresh token is required.");
        }

        if (request.RefreshToken.Length > MaximumRefreshTokenLength)
        {
            return ApiProblems.Unauthorized(ErrorCodes.InvalidRefreshToken, "The refresh token is not valid.");
        }

        var (outcome, tokens) = await service.RefreshAsync(request.RefreshToken, cancellationToken);
        return outcome switch
        {
            RefreshOutcome.Rotated when tokens is not null => TypedResults.Ok(tokens),
            RefreshOutcome.Reused => ApiProblems.Unauthorized(
                ErrorCodes.InvalidRefreshToken,
                "This refresh token was already used, so the session has been closed to protect the account. Log in again."),
            RefreshOutcome.Expired => ApiProblems.Unauthorized(ErrorCodes.InvalidRefreshToken, "The refresh token has expired. Log in again."),
            RefreshOutcome.SessionExpired => ApiProblems.Unauthorized(
                ErrorCodes.SessionExpired, "This session has reached its maximum lifetime and has been closed. Log in again."),
            _ => ApiProblems.Unauthorized(ErrorCodes.InvalidRefreshToken, "The refresh token is not valid."),
        };
    }

    private static async Task<NoContent> LogoutAsync(ClaimsPrincipal principal, AuthService service, CancellationToken cancellationToken)
    {
        await service.LogoutAsync(CurrentUser.From(principal), cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<ProfileResponse>, ProblemHttpResult>> GetProfileAsync(
        ClaimsPrincipal principal, AccountStore accounts, CancellationToken cancellationToken)
    {
        var user = await accounts.FindByIdAsync(CurrentUser.From(principal).UserId, cancellationToken);
        return user is null ? ApiProblems.NotFound("This account no longer exists.") : TypedResults.Ok(ToProfile(user));
    }

    private static async Task<Results<Ok<ProfileResponse>, ValidationProblem, ProblemHttpResult>> UpdateProfileAsync(
        UpdateProfileRequest request, ClaimsPrincipal principal, AccountStore accounts, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var name = ValidateName(request.Name, errors, required: false);
        var bio = request.Bio?.Trim();
        if (bio is not null && bio.Length > MaximumBioLength)
        {
            errors["bio"] = [$"Use at most {MaximumBioLength} characters."];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        var user = await accounts.UpdateProfileAsync(CurrentUser.From(principal).UserId, name, bio, time.GetUtcNow().UtcDateTime, cancellationToken);
        return user is null ? ApiProblems.NotFound("This account no longer exists.") : TypedResults.Ok(ToProfile(user));
    }

    private static async Task<IResult> ChangePasswordAsync(
        ChangePasswordRequest request, ClaimsPrincipal principal, AuthService service, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(request.CurrentPassword) || PasswordPolicy.Length(request.CurrentPassword) > PasswordPolicy.MaximumLength)
        {
            errors["currentPassword"] = ["Enter your current password."];
        }

        if (service.Policy.Check(request.NewPassword) is { } passwordError)
        {
            errors["newPassword"] = [passwordError];
        }
        else if (request.NewPassword == request.CurrentPassword)
        {
            errors["newPassword"] = ["Choose a password different from the current one."];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        var outcome = await service.ChangePasswordAsync(
            CurrentUser.From(principal), request.CurrentPassword!, request.NewPassword!, ClientKeys.Of(http), cancellationToken);
        return outcome switch
        {
            { Throttled: { } throttled } => RateLimitResponses.TooManyRequests(http, throttled, "Too many password attempts for this account from your address; try again later."),
            { Changed: true } => TypedResults.NoContent(),
            _ => ApiProblems.Validation("currentPassword", "The current password is incorrect."),
        };
    }

    internal static string? ValidateEmail(string? value, Dictionary<string, string[]> errors)
    {
        var email = value?.Trim();
        if (string.IsNullOrEmpty(email))
        {
            errors["email"] = ["An email is required."];
            return null;
        }

        if (email.Length > MaximumEmailLength
            || !MailAddress.TryCreate(email, out var parsed)
            || parsed.Address != email
            || !parsed.Host.Contains('.'))
        {
            errors["email"] = ["Enter a valid email address, such as ada@example.com."];
            return null;
        }

        return email;
    }

    internal static string? ValidateName(string? value, Dictionary<string, string[]> errors, bool required)
    {
        var name = value?.Trim();
        if (name is null && !required)
        {
            return null;
        }

        if (string.IsNullOrEmpty(name))
        {
            errors["name"] = ["A name is required."];
            return null;
        }

        if (name.Length > MaximumNameLength || name.Any(char.IsControl))
        {
            errors["name"] = [$"Use at most {MaximumNameLength} printable characters."];
            return null;
        }

        return name;
    }

    private static ProfileResponse ToProfile(UserAccount user) =>
        new(user.Id, user.Email, user.Name, user.Bio, user.Roles, user.CreatedAt.AsUtcOffset(), user.EmailVerifiedAt is not null);
}
