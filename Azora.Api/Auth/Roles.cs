using System.Security.Claims;

namespace Azora.Api.Auth;

public static class Roles
{
    public const string Learner = "learner";
    public const string Instructor = "instructor";
    public const string Admin = "admin";

    /// <summary>Every role a user can hold.</summary>
    public static readonly string[] All = [Learner, Instructor, Admin];

    /// <summary>Authorization policy: instructors and admins, who author courses.</summary>
    public const string Authors = "authors";

    public static bool IsAdmin(ClaimsPrincipal user) => user.IsInRole(Admin);
}
