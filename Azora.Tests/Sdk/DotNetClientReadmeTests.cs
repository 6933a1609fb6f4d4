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

        var inReadme = CSharpBlock().Matches(readme).Select(block => ExampleCode.Normalise(block.Groups["code"].Value)).ToList();
        var ran = ExampleCode.DotNetReadmeRegions();

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

    [GeneratedRegex(@"```csharp\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
