using System.Security.Claims;
using Azora.Api.Auth.Passwords;
using Azora.Api.Errors;
using Azora.Api.OpenApi;
using Azora.Api.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Azora.Api.Auth.Verification;

/// <summary>Registration (enumeration-safe), email verification, resending the link, and changing the email.</summary>
public static class EmailVerificationEndpoints
{
    public const int MaximumTokenLength = 128;
    private static readonly string[] DefaultRoles = [Roles.Learner];

    public static RouteGroupBuilder MapEmailVerificationEndpoints(this RouteGroupBuilder auth)
    {
        auth.MapPost("/register", RegisterAsync)
            .WithName("Register")
            .WithSummary("Creates a learner account and mails a verification link; sign in afterwards with Login.")
            .WithDescription("Anonymous, with the strict credentials rate limit. The password must follow the password policy " +
                "(see the API reference). Always 202 with the same body, whether or not the email already has an account: a new " +
                "account is mailed a verification link, an existing one's owner a notice that someone tried to register. The new " +
                "account can sign in at once (Login) but cannot pay until its email is verified.")
            .Accepts<RegisterRequest>("application/json")
            .Produces<VerificationSentResponse>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .WithCredentialsLimit()
            .WithNoStore()
            .AllowAnonymous();

        auth.MapPost("/verify-email", VerifyAsync)
            .WithName("VerifyEmail")
            .WithSummary("Verifies an email address with the token from a verification link.")
            .WithDescription("Anonymous: the token is the credential, so the link works on any device. Verifies the account's " +
                "address, or, for an email change, moves the account to the new address and tells the old one. An unknown, used " +
                "or expired token is 400 `INVALID_TOKEN` naming `token` (which of them is never told); a new address taken by " +
                "another account since the link was sent is 409 and changes nothing.")
            .Accepts<VerifyEmailRequest>("application/json")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithCredentialsLimit()
            .WithNoStore()
            .AllowAnonymous();

        auth.MapPost("/verify-email/resend", ResendAsync)
            .WithName("ResendVerificationEmail")
            .WithSummary("Mails a new verification link; the earlier link stops working.")
            .WithDescription("Any signed-in user. The link is for the pending email change if there is one, else for the " +
                "account's own address. An account with nothing to verify is 409. Limited per account (429 with `Retry-After`).")
            .Produces<VerificationSentResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .WithNoStore()
            .RequireAuthorization();

        auth.MapPost("/email", ChangeEmailAsync)
            .WithName("ChangeEmail")
            .WithSummary("Asks to change the email: mails a verification link to the new address, which applies the change.")
            .WithDescription("Any signed-in user. Nothing changes until the link is used, so a mistyped address never locks " +
                "anyone out; the old address is told when it happens. A wrong current password is 400 naming `currentPassword` " +
                "(with the same per-account limit as ChangePassword); the current address is 400 naming `email`. An address " +
                "that belongs to another account gets the same 202, and nothing is mailed.")
            .Accepts<ChangeEmailRequest>("application/json")
            .Produces<VerificationSentResponse>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithNoStore()
            .RequireAuthorization();

        return auth;
    }

    private static async Task<Results<Accepted<VerificationSentResponse>, ValidationProblem>> RegisterAsync(
        RegisterRequest request, AuthService auth, EmailVerification verification, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var email = AuthEndpoints.ValidateEmail(request.Email, errors);
        var name = AuthEndpoints.ValidateName(request.Name, errors, required: true);
        if (auth.Policy.Check(request.Password) is { } passwordError)
        {
            errors["password"] = [passwordError];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        await verification.RegisterAsync(email!, name!, request.Password!, DefaultRoles, cancellationToken);
        return TypedResults.Accepted((string?)null, new VerificationSentResponse(email!, true));
    }

    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> VerifyAsync(
        VerifyEmailRequest request, EmailVerification verification, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Token))
        {
            return ApiProblems.Validation("token", "A token is required: the `token` parameter of the link in the mail.");
        }

        var outcome = request.Token.Length > MaximumTokenLength
            ? VerifyOutcome.InvalidToken
            : await verification.VerifyAsync(request.Token.Trim(), cancellationToken);
        return outcome switch
        {
            VerifyOutcome.Verified => TypedResults.NoContent(),
            VerifyOutcome.EmailTaken => ApiProblems.Conflict("That address now belongs to another account, so your email was not changed."),
            _ => InvalidToken(),
        };
    }

    private static async Task<IResult> ResendAsync(ClaimsPrincipal principal, EmailVerification verification, HttpContext http, CancellationToken cancellationToken)
    {
        var result = await verification.ResendAsync(CurrentUser.From(principal).UserId, cancellationToken);
        return result.Outcome switch
        {
            ResendOutcome.Sent => TypedResults.Accepted((string?)null, new VerificationSentResponse(result.Email!, true)),
            ResendOutcome.AlreadyVerified => ApiProblems.Conflict("Your email is already verified and no email change is waiting for its link."),
            ResendOutcome.Throttled => RateLimitResponses.TooManyRequests(http, result.Throttled!, "Too many verification mails for this account; try again later."),
            _ => ApiProblems.NotFound("This account no longer exists."),
        };
    }

    private static async Task<IResult> ChangeEmailAsync(
        ChangeEmailRequest request, ClaimsPrincipal principal, EmailVerification verification, HttpContext http, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var email = AuthEndpoints.ValidateEmail(request.Email, errors);
        if (string.IsNullOrEmpty(request.CurrentPassword) || PasswordPolicy.Length(request.CurrentPassword) > PasswordPolicy.MaximumLength)
        {
            errors["currentPassword"] = ["Enter your current password."];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        var result = await verification.ChangeEmailAsync(
            CurrentUser.From(principal).UserId, email!, request.CurrentPassword!, ClientKeys.Of(http), cancellationToken);
        return result.Outcome switch
        {
            EmailChangeOutcome.Accepted => TypedResults.Accepted((string?)null, new VerificationSentResponse(result.Email!, true)),
            EmailChangeOutcome.WrongPassword => ApiProblems.Validation("currentPassword", "The current password is incorrect."),
            EmailChangeOutcome.SameEmail => ApiProblems.Validation("email", "This is already your email."),
            EmailChangeOutcome.Throttled => RateLimitResponses.TooManyRequests(http, result.Throttled!, "Too many attempts for this account; try again later."),
            _ => ApiProblems.NotFound("This account no longer exists."),
        };
    }

    private static ValidationProblem InvalidToken()
    {
        var problem = ApiProblems.Validation("token", "This link is not valid: it was already used, has expired, or was replaced by a newer one. Ask for a new link.");
        problem.ProblemDetails.Extensions["code"] = ErrorCodes.InvalidToken;
        return problem;
    }
}
