using System.Text.RegularExpressions;

namespace Azora.Tests.Sdk;

/// <summary>
/// The API reference's SDK examples are the SDKs' own example code, which their suites run against the stack: each
/// block in its "SDKs" section is a whole TypeScript or Python example file, or a README block of the .NET client.
/// </summary>
public sealed partial class ApiReferenceSdkExamplesTests
{
    [Fact]
    public void Every_example_in_the_reference_is_code_the_sdk_tests_run()
    {
        var reference = File.ReadAllText(Repository.PathOf("docs/api/API-REFERENCE.md"));
        var section = SdkSection().Match(reference);
        Assert.True(section.Success, "docs/api/API-REFERENCE.md has no \"## SDKs\" section");

        var ran = ExampleFiles("sdk/typescript/examples", "*.ts")
            .Concat(ExampleFiles("sdk/python/examples", "*.py"))
            .Concat(ExampleCode.DotNetReadmeRegions().Values)
            .ToHashSet();
        var blocks = CodeBlock().Matches(section.Value).Select(block => (block.Groups["language"].Value, Code: ExampleCode.Normalise(block.Groups["code"].Value))).ToList();

        Assert.Contains(blocks, block => block.Item1 == "typescript");
        Assert.Contains(blocks, block => block.Item1 == "python");
        Assert.Contains(blocks, block => block.Item1 == "csharp");
        foreach (var (language, code) in blocks)
        {
            Assert.True(ran.Contains(code), $"This {language} example of the reference's SDKs section is not an SDK example the tests run:\n{code}");
        }
    }

    private static IEnumerable<string> ExampleFiles(string folder, string pattern) =>
        Directory.GetFiles(Repository.PathOf(folder), pattern).Select(file => ExampleCode.Normalise(File.ReadAllText(file)));

    [GeneratedRegex(@"^## SDKs\n.*?(?=^## )", RegexOptions.Singleline | RegexOptions.Multiline)]
    private static partial Regex SdkSection();

    [GeneratedRegex(@"```(?<language>[a-z]+)\n(?<code>.*?)```", RegexOptions.Singleline)]
    private static partial Regex CodeBlock();
}
