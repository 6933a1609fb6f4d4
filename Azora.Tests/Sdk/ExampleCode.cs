using System.Text.RegularExpressions;

namespace Azora.Tests.Sdk;

/// <summary>
/// Example code as the docs tests compare it: the README blocks of ReadmeExamples.cs (between "// README: name" and
/// "// README end"), and code without its common indentation and trailing blanks.
/// </summary>
internal static partial class ExampleCode
{
    /// <summary>Each README block of Azora.Tests/Sdk/ReadmeExamples.cs by name, normalised.</summary>
    public static Dictionary<string, string> DotNetReadmeRegions() =>
        ReadmeRegion().Matches(File.ReadAllText(Repository.PathOf("Azora.Tests/Sdk/ReadmeExamples.cs")))
            .ToDictionary(region => region.Groups["name"].Value, region => Normalise(region.Groups["code"].Value));

    /// <summary>The lines without their common indentation, trailing blanks and surrounding blank lines.</summary>
    public static string Normalise(string code)
    {
        var lines = code.Replace("\r\n", "\n").Trim('\n').Split('\n').Select(line => line.TrimEnd()).ToList();
        var indent = lines.Where(line => line.Length > 0).Min(line => line.Length - line.TrimStart().Length);
        return string.Join('\n', lines.Select(line => line.Length >= indent ? line[indent..] : line));
    }

    [GeneratedRegex(@"// README: (?<name>[a-z-]+)\n(?<code>.*?)\n\s*// README end", RegexOptions.Singleline)]
    private static partial Regex ReadmeRegion();
}
