using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Azora.Api.Errors;
using Azora.Api.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Azora.Api.Auth.ApiKeys;

/// <summary>A key without <c>expiresAt</c> does not expire; with it, at most a year ahead.</summary>
public sealed record CreateApiKeyRequest(
    [property: Required, MaxLength(ApiKeyEndpoints.MaximumNameLength)] string? Name,
    [property: Required, MinLength(1), ClosedSet(typeof(ApiKeyScopes))] string[]? Scopes,
    DateTimeOffset? ExpiresAt) : IOpenApiExample<CreateApiKeyRequest>
{
    public static CreateApiKeyRequest Example { get; } = new("Course sync", [ApiKeyScopes.CatalogRead, ApiKeyScopes.CoursesWrite], null);
}

/// <summary>
/// Instructors and admins manage their own API keys, signed in with an access token (never with a key: the group has
/// no <see cref="ApiKeyScope"/>, so <see cref="ApiKeyScopeGuard"/> refuses keys here).
/// </summary>
public static class ApiKeyEndpoints
{
    public const int MaximumNameLength = 100;
    public static readonly TimeSpan MaximumLifetime = TimeSpan.FromDays(366);

    public static IEndpointRouteBuilder MapApiKeyEndpoints(this IEndpointRouteBuilder app)
    {
        var keys = app.MapGroup("/api/auth/api-keys").WithTags("API keys")
            .RequireAuthorization(Roles.Authors)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        keys.MapPost("/", CreateAsync).WithName("CreateApiKey")
            .WithSummary("Creates an API key for an integration; the key is shown only in this answer.")
            .WithDescription("Instructors and admins, with an access token (never with a key). The key acts as its owner, " +
                "limited to its scopes, and has its own rate limit.")
            .Produces<CreatedApiKeyResponse>(StatusCodes.Status201Created).ProducesValidationProblem()
            .WithNoStore();
        keys.MapGet("/", ListAsync).WithName("ListApiKeys")
            .WithSummary("My API keys that are not revoked: hint, scopes, created, last used (to the minute), expiry.")
            .WithDescription("Instructors and admins, with an access token. The keys themselves are never shown again.")
            .Produces<ApiKeyResponse[]>();
        keys.MapDelete("/{id:guid}", DeleteAsync).WithName("RevokeApiKey")
            .WithSummary("Revokes one of my API keys at once, on every replica.")
            .WithDescription("Instructors and admins, with an access token. Someone else's key, or one already revoked, is 404.")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> CreateAsync(
        CreateApiKeyRequest request, ClaimsPrincipal user, ApiKeyStore store, TimeProvider time, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaximumNameLength)
        {
            errors["name"] = [$"Name the key (1 to {MaximumNameLength} characters), e.g. after the integration that uses it."];
        }

        if (request.Scopes is not { Length: > 0 } || request.Scopes.Any(scope => !ApiKeyScopes.All.Contains(scope)))
        {
            errors["scopes"] = [$"Name one or more of: {string.Join(", ", ApiKeyScopes.All)}."];
        }

        var now = time.GetUtcNow();
        if (request.ExpiresAt is { } expiresAt && (expiresAt <= now || expiresAt > now + MaximumLifetime))
        {
            errors["expiresAt"] = ["Give a time in the future, at most a year ahead, or leave it out for a key that does not expire."];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        var created = await store.CreateAsync(Owner(user), name!, request.Scopes!.Distinct().ToArray(), request.ExpiresAt, ct);
        return TypedResults.Created($"/api/auth/api-keys/{created.Id}", created);
    }

    private static async Task<Ok<ApiKeyResponse[]>> ListAsync(ClaimsPrincipal user, ApiKeyStore store, CancellationToken ct) =>
        TypedResults.Ok(await store.ListAsync(Owner(user), ct));

    private static async Task<IResult> DeleteAsync(Guid id, ClaimsPrincipal user, ApiKeyStore store, ApiKeyCache cache, CancellationToken ct)
    {
        if (!await store.RevokeAsync(Owner(user), id, ct))
        {
            return ApiProblems.NotFound("No such API key.");
        }

        // This replica forgets it now; the others on the NOTIFY sent by the revocation's commit.
        cache.Clear();
        return TypedResults.NoContent();
    }

    private static Guid Owner(ClaimsPrincipal user) => CurrentUser.UserIdOf(user)!.Value;
}
