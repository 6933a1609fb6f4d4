namespace Azora.Api.Admin;

/// <summary>
/// The outbox events of user administration, written in the same transaction as the change. Their payloads carry no
/// <c>instructorId</c>, so the relay delivers them to admins' webhook subscriptions only.
/// </summary>
public static class AdminEvents
{
    /// <summary><c>{ userId, roles, previousRoles, changedBy }</c>.</summary>
    public const string UserRolesChanged = "user.roles_changed";

    /// <summary><c>{ userId, disabledBy }</c>.</summary>
    public const string UserDisabled = "user.disabled";
}
