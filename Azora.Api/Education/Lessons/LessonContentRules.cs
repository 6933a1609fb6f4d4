using Azora.Api.Education.Authoring;
namespace Azora.Api.Education.Lessons;

/// <summary>
/// What a lesson's content may be: Markdown up to <see cref="MaximumContentLength"/> characters, stored as written
/// (clients render it safely), and an optional video at an absolute https URL of at most
/// <see cref="MaximumVideoUrlLength"/> characters, so no <c>javascript:</c>, <c>data:</c> or plain-http link reaches a
/// learner's player.
/// </summary>
public static class LessonContentRules
{
    public const int MaximumContentLength = 100_000;
    public const int MaximumVideoUrlLength = 2_000;

    public static void Validate(LessonChanges request, IDictionary<string, string[]> errors)
    {
        if (request.Content is { Length: > MaximumContentLength })
        {
            errors["content"] = [$"Use at most {MaximumContentLength} characters of Markdown."];
        }

        // Empty removes the video (PATCH); anything else must be an absolute https URL with a host.
        if (request.VideoUrl is { Length: > 0 } url && !IsVideoUrl(url))
        {
            errors["videoUrl"] = [$"Use an absolute https URL of at most {MaximumVideoUrlLength} characters, or \"\" for no video."];
        }
    }

    private static bool IsVideoUrl(string url) =>
        url.Length <= MaximumVideoUrlLength
        && url.StartsWith("https://", StringComparison.Ordinal)
        && !url.Any(char.IsWhiteSpace)
        && Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && uri.Scheme == Uri.UriSchemeHttps
        && uri.Host.Length > 0
        && uri.UserInfo.Length == 0;
}
