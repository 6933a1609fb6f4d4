using Azora.Api.Errors;
using Azora.Api.OpenApi;
using Azora.Api.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Azora.Api.Auth.Recovery;

/// <summary>Password reset by mail: ask for a link (answered the same way for every address), then use it.</summary>
public static class PasswordResetEndpoints
{
    public const string AcceptedMessage = "If an account uses this address, a reset link is on its way.";
    public const int MaximumTokenLength = 128;

    public static IServiceCollection AddPasswordReset(this IServiceCollection services)
    {
        services.AddSingleton<PasswordResetQueue>();
        services.AddScoped<PasswordResets>();
        services.AddHostedService<PasswordResetMailer>();
        return services;
    }

    public static IEndpointRouteBuilder MapPasswordResetEndpoints(this IEndpointRouteBuilder app)
    {
        var reset = app.MapGroup("/api/auth/password-reset").WithTags("Auth").AllowAnonymous();

        reset.MapPost("", RequestReset)
            .WithName("RequestPasswordReset")
            .WithSummary("Mails a single-use password-reset link to the address, if an account uses it.")
            .WithDescription("Anonymous, with the strict credentials rate limit per client address. Every well-formed request is " +
                "answered 202 with the same body, whether the address belongs to an account or not (nothing to enumerate); the " +
                "link, valid 30 minutes, is mailed only to an active account. Each address gets at most a few reset mails an hour; " +
                "beyond that the answer is still 202 but no mail is written.")
            .Accepts<PasswordResetRequest>("application/json")
            .Produces<PasswordResetAcceptedResponse>(StatusCodes.Status202Accepted)
            .ProducesValidationProblem()
            .WithCredentialsLimit();

        reset.MapPost("/confirm", ConfirmResetAsync)
            .WithName("ConfirmPasswordReset")
            .WithSummary("Sets a new password with the token from a reset link; every session of the account is signed out.")
            .WithDescription("Anonymous: the token is the credential, and it works once. The new password must follow the password " +
                "policy (400 naming `newPassword`; the token stays usable). An unknown, used or expired token is 400 `INVALID_TOKEN` " +
                "naming `token`. The owner is mailed that the password changed.")
            .Accepts<PasswordResetConfirmRequest>("application/json")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesValidationProblem()
            .WithCredentialsLimit();

        return app;
    }

    private static Results<Accepted<PasswordResetAcceptedResponse>, ValidationProblem> RequestReset(
        PasswordResetRequest request, PasswordResetQueue queue)
    {
        var errors = new Dictionary<string, string[]>();
        if (AuthEndpoints.ValidateEmail(request.Email, errors) is not { } email)
        {
            return ApiProblems.Validation(errors);
        }

        queue.Enqueue(email);
        return TypedResults.Accepted((string?)null, new PasswordResetAcceptedResponse(AcceptedMessage));
    }

    private static async Task<Results<NoContent, ValidationProblem>> ConfirmResetAsync(
        PasswordResetConfirmRequest request, PasswordResets resets, AuthService auth, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrEmpty(request.Token))
        {
            errors["token"] = ["The token from the reset link is required."];
        }

        if (auth.Policy.Check(request.NewPassword) is { } passwordError)
        {
            errors["newPassword"] = [passwordError];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        var outcome = request.Token!.Length > MaximumTokenLength
            ? PasswordResetOutcome.InvalidToken
            : await resets.ResetAsync(request.Token, request.NewPassword!, cancellationToken);
        return outcome == PasswordResetOutcome.Reset ? TypedResults.NoContent() : InvalidToken();
    }

    /// <summary>400 with its own code, so a client can tell "ask for a new link" from a field to correct.</summary>
    internal static ValidationProblem InvalidToken() =>
        TypedResults.ValidationProblem(
            new Dictionary<string, string[]> { ["token"] = ["This link is not valid: it was already used, has expired, or was replaced by a newer one. Ask for a new link."] },
            detail: "The reset token is not valid.",
            extensions: new Dictionary<string, object?> { ["code"] = ErrorCodes.InvalidToken });
}
