using System.Security.Claims;

namespace Azora.Api.Auth;

/// <summary>Who is looking: the public (anonymous and learners), an instructor (also sees their own drafts), or an admin.</summary>
public sealed record Viewer(Guid? UserId, bool IsAdmin, bool IsInstructor)
{
    public static Viewer From(ClaimsPrincipal user) =>
        new(CurrentUser.UserIdOf(user), user.IsInRole(Roles.Admin), user.IsInRole(Roles.Instructor));

    public bool IsPublic => !IsAdmin && !IsInstructor;
}
