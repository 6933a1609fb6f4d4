namespace Azora.Web.Components.Account;

/// <summary>Where to go after signing in: only a path on this site, so a crafted link cannot send a person elsewhere.</summary>
public static class LocalUrl
{
    public static string OrDefault(string? url, string fallback) =>
        url is { Length: > 0 } && url[0] == '/' && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal)
            ? url
            : fallback;
}
