using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Azora.Api.Auth;
using Azora.Api.OpenApi;

namespace Azora.Api.Admin;

public sealed record SetRolesRequest([property: Required, ClosedSet(typeof(Roles))] string[]? Roles)
    : IOpenApiExample<SetRolesRequest>
{
    public static SetRolesRequest Example { get; } = new(["learner", "instructor"]);
}

/// <summary>A user as administrators see it; <c>disabledAt</c> is null for an account that may sign in.</summary>
public sealed record AdminUserResponse(
    Guid Id, string Email, string Name,
    [property: ClosedSet(typeof(Roles))] IReadOnlyList<string> Roles, bool Disabled, DateTimeOffset? DisabledAt, DateTimeOffset CreatedAt);

/// <summary>One administrative change: who (<c>actorId</c> is null for the operator command), what, before and after, when, and the request's trace id.</summary>
public sealed record AuditEntryResponse(
    Guid Id, Guid? ActorId, string Actor, string Action, Guid? TargetUserId, JsonElement? Before, JsonElement? After, string? TraceId,
    DateTimeOffset OccurredAt);
