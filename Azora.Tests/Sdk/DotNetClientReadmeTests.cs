using System.Text.RegularExpressions;

namespace Azora.Tests.Sdk;

/// <summary>
/// Every C# example of the SDK's package README is a block of ReadmeExamples.cs, word for word, and every block there
/// is in the README: the examples are code that DotNetClientTests runs against the stack, not prose that drifts.
/// </summary>
public sealed partial class DotNetClientReadmeTests
{
    [Fact]
    public void The_README_examples_are_the_code_the_tests_run()
    {
        var readme = File.ReadAllText(Repository.PathOf("sdk/dotnet/Azora.Client/README.md"));
        var examples = File.ReadAllText(Repository.PathOf("Azora.Tests/Sdk/ReadmeExamples.cs"));

        var inReadme = CSharpBlock().Matches(readme).Select(block => Normalise(block.Groups["code"].Value)).ToList();
        var ran = ExampleRegion().Matches(examples).ToDictionary(region => region.Groups["name"].Value, region => Normalise(region.Groups["code"].Value));

        Assert.True(ran.Count >= 8, $"only {ran.Count} README regions found in ReadmeExamples.cs: the pattern no longer matches how it marks them");
        Assert.Equal(ran.Count, inReadme.Count);
        foreach (var block in inReadme)
        {
            Assert.True(ran.ContainsValue(block), $"This README example is not in Azora.Tests/Sdk/ReadmeExamples.cs (so no test runs it):\n{block}");
        }

        foreach (var (name, code) in ran)
        {
            Assert.True(inReadme.Contains(code), $"The example '{name}' of ReadmeExamples.cs is not in the README as it is written there.");
        }
    }

    /// <summary>The lines without their common indentation and trailing blanks.</summary>
    private static string Normalise(string code)
    {
        var lines = code.Replace("\r\n", "\n").Trim('\n').Split('\n').Select(line => line.TrimEnd()).ToList();
        var indent = lines.Where(line => line.Length > 0).Min(line => line.Length - line.TrimStart().Length);
        return string.Join('\n', lines.Select(line => line.Length >= indent ? line[indent..] : line));
    }

    [GeneratedRegex(@"```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();

    [GeneratedRegex(@"// README: (?<name>[a-z-]+)\n(?<code>.*?)\n\s*// README end", RegexOptions.Singleline)]
    private static partial Regex ExampleRegion();
}
