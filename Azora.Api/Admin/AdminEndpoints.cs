using System.Security.Claims;
using Azora.Api.Auth;
using Azora.Api.Auth.Tokens;
using Azora.Api.Common;
using Azora.Api.Errors;
using Azora.Api.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Azora.Api.Admin;

/// <summary>
/// User administration for admins: find users, grant and revoke roles, disable and enable accounts, read the audit
/// log. Anyone else gets 401 or 403. Removing the last active admin (by role change or disable) is 409.
/// </summary>
public static class AdminEndpoints
{
    public const int MaximumQueryLength = 100;

    public static IEndpointRouteBuilder MapAdminEndpoints(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/api/admin").WithTags("Administration")
            .RequireAuthorization(policy => policy.RequireRole(Roles.Admin))
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        admin.MapGet("/users", ListUsersAsync).WithName("ListUsers")
            .WithSummary("Users, oldest first; q matches email or name, role filters by role.")
            .WithDescription("Admins only.")
            .WithQuery("q", $"Text to find in the email or name (at most {MaximumQueryLength} characters).", QuerySchema.Text(MaximumQueryLength))
            .WithQuery("role", "Only users holding this role.", QuerySchema.OneOf(UserAdministration.AllRoles))
            .Produces<PagedResponse<AdminUserResponse>>().ProducesValidationProblem();
        admin.MapGet("/users/{id:guid}", GetUserAsync).WithName("GetUser").WithSummary("One user.")
            .WithDescription("Admins only. An unknown id is 404.")
            .Produces<AdminUserResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapPut("/users/{id:guid}/roles", SetRolesAsync).WithName("SetUserRoles")
            .WithSummary("Sets the user's roles (instructor, admin; learner is always kept) and signs the user out everywhere.")
            .WithDescription("Admins only. Replaces the roles with the list given; the change is audited and emits " +
                "`user.roles_changed`. Taking the admin role from the last active admin is 409.")
            .Accepts<SetRolesRequest>("application/json")
            .Produces<AdminUserResponse>().ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        admin.MapPost("/users/{id:guid}/disable", DisableAsync).WithName("DisableUser")
            .WithSummary("Disables the account: it cannot sign in or refresh, and every session ends at once.")
            .WithDescription("Admins only. Audited; emits `user.disabled`. Disabling the last active admin is 409. Disabling a " +
                "disabled account changes nothing.")
            .Produces<AdminUserResponse>().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        admin.MapPost("/users/{id:guid}/enable", EnableAsync).WithName("EnableUser")
            .WithSummary("Lets a disabled account sign in again.")
            .WithDescription("Admins only. Audited. Enabling an enabled account changes nothing.")
            .Produces<AdminUserResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        admin.MapGet("/audit", ListAuditAsync).WithName("ListAdminAudit")
            .WithSummary("The audit log of administrative changes, newest first.")
            .WithDescription("Admins only. Each entry says who changed what (before and after), when, and the request's trace id.")
            .Produces<PagedResponse<AuditEntryResponse>>().ProducesValidationProblem();
        return app;
    }

    private static async Task<Results<Ok<PagedResponse<AdminUserResponse>>, ValidationProblem>> ListUsersAsync(
        UserAdministration users, CancellationToken ct, string? q = null, string? role = null, string? page = null, string? limit = null)
    {
        var errors = new Dictionary<string, string[]>();
        var paging = PageRequest.Parse(page, limit, errors);
        var query = q?.Trim();
        if (query is { Length: > MaximumQueryLength })
        {
            errors["q"] = [$"Use at most {MaximumQueryLength} characters."];
        }

        if (role is not null && !UserAdministration.AllRoles.Contains(role))
        {
            errors["role"] = [$"Use one of: {string.Join(", ", UserAdministration.AllRoles)}."];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        return TypedResults.Ok(await users.ListAsync(new UserFilter(query, role), paging!, ct));
    }

    private static async Task<Results<Ok<AdminUserResponse>, ProblemHttpResult>> GetUserAsync(Guid id, UserAdministration users, CancellationToken ct) =>
        await users.FindAsync(id, ct) is { } user ? TypedResults.Ok(user) : NoSuchUser();

    private static async Task<Results<Ok<AdminUserResponse>, ValidationProblem, ProblemHttpResult>> SetRolesAsync(
        Guid id, SetRolesRequest request, UserAdministration users, ClaimsPrincipal principal, HttpContext http, CancellationToken ct)
    {
        if (request.Roles is null || request.Roles.Any(role => !UserAdministration.AllRoles.Contains(role)))
        {
            return ApiProblems.Validation("roles", $"List the roles the user should have, from: {string.Join(", ", UserAdministration.AllRoles)} (learner is always kept).");
        }

        return Answer(await users.SetRolesAsync(id, request.Roles, ActorOf(principal, http), ct), "Removing the admin role");
    }

    private static async Task<Results<Ok<AdminUserResponse>, ValidationProblem, ProblemHttpResult>> DisableAsync(
        Guid id, UserAdministration users, ClaimsPrincipal principal, HttpContext http, CancellationToken ct) =>
        Answer(await users.DisableAsync(id, ActorOf(principal, http), ct), "Disabling this account");

    private static async Task<Results<Ok<AdminUserResponse>, ValidationProblem, ProblemHttpResult>> EnableAsync(
        Guid id, UserAdministration users, ClaimsPrincipal principal, HttpContext http, CancellationToken ct) =>
        Answer(await users.EnableAsync(id, ActorOf(principal, http), ct), "Enabling this account");

    private static async Task<Results<Ok<PagedResponse<AuditEntryResponse>>, ValidationProblem>> ListAuditAsync(
        AdminAudit audit, CancellationToken ct, string? page = null, string? limit = null)
    {
        var errors = new Dictionary<string, string[]>();
        var paging = PageRequest.Parse(page, limit, errors);
        return errors.Count > 0 ? ApiProblems.Validation(errors) : TypedResults.Ok(await audit.ListAsync(paging!, ct));
    }

    private static Results<Ok<AdminUserResponse>, ValidationProblem, ProblemHttpResult> Answer((AdminChange Outcome, AdminUserResponse? User) result, string what) =>
        result.Outcome switch
        {
            AdminChange.NotFound => NoSuchUser(),
            AdminChange.LastAdmin => ApiProblems.Conflict($"{what} would leave no active admin; make another user an admin first."),
            _ => TypedResults.Ok(result.User!),
        };

    private static AdminActor ActorOf(ClaimsPrincipal principal, HttpContext http) =>
        new(CurrentUser.UserIdOf(principal), principal.FindFirstValue(AzoraClaims.Email) ?? "unknown", ApiProblems.TraceIdOf(http));

    private static ProblemHttpResult NoSuchUser() => ApiProblems.NotFound("No such user.");
}
