using System.Globalization;
using System.Security.Claims;
using Azora.Api.Auth;
using Azora.Api.Auth.Passwords;
using Azora.Api.Errors;
using Azora.Api.OpenApi;
using Azora.Api.RateLimiting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace Azora.Api.Privacy;

/// <summary>The owner's rights over their data: a copy of it (export), and the account's deletion.</summary>
public static class AccountEndpoints
{
    public static IServiceCollection AddAccountPrivacy(this IServiceCollection services)
    {
        services.AddSingleton<AccountDeletion>();
        services.AddSingleton<AccountExport>();
        return services;
    }

    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder app)
    {
        var account = app.MapGroup("/api/auth/account").WithTags("Auth").RequireAuthorization();

        account.MapDelete("", DeleteAccountAsync)
            .WithName("DeleteAccount")
            .WithSummary("Deletes the signed-in user's account and erases its personal data.")
            .WithDescription("Any signed-in user (access tokens only, never API keys), confirming with the current password: a wrong " +
                "one is 400 naming `password`, with the per-account attempt limit of a password change (429). Every session and API " +
                "key stops working, webhook subscriptions are deleted, and the email, name and bio are erased everywhere; enrollments " +
                "and payments are kept for accounting, anonymised. The address can register again. A `user.deleted` event is " +
                "published and a last mail goes to the address. The only active admin cannot delete their account (409).")
            .Accepts<DeleteAccountRequest>("application/json")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        account.MapGet("/export", ExportAsync)
            .WithName("ExportAccountData")
            .WithSummary("Everything Azora keeps about the signed-in user, as a JSON download.")
            .WithDescription("Any signed-in user (access tokens only, never API keys). The profile, enrollments with progress and " +
                "completed lessons, payments, certificates, API keys (metadata only) and webhook subscriptions (without secrets), " +
                "read in one snapshot; sent as an attachment (`azora-export-<date>.json`) that no cache keeps.")
            .Produces<AccountExportResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithNoStore();

        return app;
    }

    private static async Task<IResult> DeleteAccountAsync(
        [FromBody] DeleteAccountRequest request, ClaimsPrincipal principal, AccountDeletion deletion, HttpContext http, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(request.Password) || PasswordPolicy.Length(request.Password) > PasswordPolicy.MaximumLength)
        {
            return ApiProblems.Validation("password", "Enter your current password to confirm.");
        }

        var outcome = await deletion.DeleteAsync(CurrentUser.From(principal), request.Password, ClientKeys.Of(http), cancellationToken);
        return outcome.Result switch
        {
            AccountDeletionResult.Deleted => TypedResults.NoContent(),
            AccountDeletionResult.Throttled => RateLimitResponses.TooManyRequests(
                http, outcome.Throttled!, "Too many password attempts for this account from your address; try again later."),
            AccountDeletionResult.WrongPassword => ApiProblems.Validation("password", "The password is incorrect."),
            AccountDeletionResult.LastAdmin => ApiProblems.Conflict(
                "You are the only active admin: make another user an admin before deleting your account."),
            _ => ApiProblems.NotFound("This account no longer exists."),
        };
    }

    private static async Task<Results<Ok<AccountExportResponse>, ProblemHttpResult>> ExportAsync(
        ClaimsPrincipal principal, AccountExport export, HttpContext http, CancellationToken cancellationToken)
    {
        var data = await export.ExportAsync(CurrentUser.From(principal).UserId, cancellationToken);
        if (data is null)
        {
            return ApiProblems.NotFound("This account no longer exists.");
        }

        var file = $"azora-export-{data.ExportedAt.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}.json";
        http.Response.Headers[HeaderNames.ContentDisposition] = new ContentDispositionHeaderValue("attachment") { FileName = $"\"{file}\"" }.ToString();
        return TypedResults.Ok(data);
    }
}
