using System.ComponentModel.DataAnnotations;

namespace Azora.Web.Sessions;

/// <summary>Settings under <c>Azora:Web:Sessions</c>.</summary>
public sealed class PortalSessionOptions
{
    public const string Section = "Azora:Web:Sessions";

    /// <summary>
    /// A session's API tokens are refreshed on the first request that finds less than this left of the access token:
    /// more than a slow page takes, so no call to the API meets an expired token. A margin longer than the API's
    /// access-token lifetime refreshes on every request (the test stacks do that, to exercise refreshing).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan RefreshMargin { get; set; } = TimeSpan.FromMinutes(2);
}
