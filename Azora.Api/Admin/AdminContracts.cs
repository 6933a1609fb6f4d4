using System.Text.Json;

namespace Azora.Api.Admin;

public sealed record SetRolesRequest(string[]? Roles);

/// <summary>A user as administrators see it; <c>disabledAt</c> is null for an account that may sign in.</summary>
public sealed record AdminUserResponse(
    Guid Id, string Email, string Name, IReadOnlyList<string> Roles, bool Disabled, DateTimeOffset? DisabledAt, DateTimeOffset CreatedAt);

/// <summary>One administrative change: who (<c>actorId</c> is null for the operator command), what, before and after, when, and the request's trace id.</summary>
public sealed record AuditEntryResponse(
    Guid Id, Guid? ActorId, string Actor, string Action, Guid? TargetUserId, JsonElement? Before, JsonElement? After, string? TraceId,
    DateTimeOffset OccurredAt);
