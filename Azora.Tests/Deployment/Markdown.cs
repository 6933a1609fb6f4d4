using System.Text.RegularExpressions;

namespace Azora.Tests.Deployment;

/// <summary>Headings, anchors and sections of the repository's markdown documents, as GitHub renders them.</summary>
internal static partial class Markdown
{
    public sealed record Heading(int Level, string Anchor, int Index);

    public static IReadOnlyList<Heading> Headings(string text) =>
        HeadingLine().Matches(text).Select(match => new Heading(match.Groups[1].Length, Slug(match.Groups[2].Value), match.Index)).ToList();

    /// <summary>
    /// The section under the heading whose anchor is <paramref name="anchor"/>, up to the next heading of the same or a
    /// higher level.
    /// </summary>
    public static string Section(string file, string anchor)
    {
        var text = File.ReadAllText(file);
        var headings = Headings(text);
        var start = headings.FirstOrDefault(heading => heading.Anchor == anchor)
            ?? throw new Xunit.Sdk.XunitException($"{file} has no section #{anchor}");
        var end = headings.FirstOrDefault(heading => heading.Index > start.Index && heading.Level <= start.Level);
        return end is null ? text[start.Index..] : text[start.Index..end.Index];
    }

    // GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens.
    private static string Slug(string heading) => Regex.Replace(heading.ToLowerInvariant(), "[^a-z0-9 _-]", "").Replace(' ', '-');

    [GeneratedRegex("^(#{1,4}) (.+)$", RegexOptions.Multiline)]
    private static partial Regex HeadingLine();
}
