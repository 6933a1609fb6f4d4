using System.Text.RegularExpressions;
using Azora.Tests.Api;
using Azora.Tests.Stack;

namespace Azora.Tests.Sdk;

/// <summary>
/// The Python SDK (sdk/python) against the stack: its whole pytest suite (unit, generator, typing, packaging, and the
/// live tests: accounts, catalog, enrollment, payments, refresh, webhooks with real signed deliveries, API keys, the
/// README's examples) with AZORA_API_URL set to the fixture's API.
/// </summary>
[Collection(StackCollection.Name)]
public sealed partial class PythonSdkTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task The_python_sdk_suite_passes_against_the_stack()
    {
        var api = stack.App.GetEndpoint("api", "http").ToString().TrimEnd('/');
        // Paying needs a verified email; the suite cannot read mail, so its buyer is verified here.
        using var http = stack.CreateApiClient();
        var buyer = await TestAccounts.RegisterVerifiedAsync(stack, http);

        var (exitCode, output, error) = await Repository.RunAsync(
            PythonSdk.Interpreter, ["-m", "pytest", "sdk/python", "-q"],
            new Dictionary<string, string>
            {
                ["AZORA_API_URL"] = api, ["PYTHONDONTWRITEBYTECODE"] = "1", ["AZORA_BUYER_EMAIL"] = buyer.Email, ["AZORA_BUYER_PASSWORD"] = TestAccounts.Password,
            });

        Assert.True(exitCode == 0, $"pytest exited with {exitCode}:\n{output}\n{error}");
        // With AZORA_API_URL set nothing may be skipped: a skipped live test would pass here without having run.
        var summary = Summary().Match(output);
        Assert.True(summary.Success, $"no pytest summary line:\n{output}");
        Assert.DoesNotContain("skipped", summary.Value);
        Assert.True(int.Parse(summary.Groups[1].Value) > 0, output);
    }

    [GeneratedRegex(@"^=*\s*(\d+) passed.*$", RegexOptions.Multiline)]
    private static partial Regex Summary();
}

/// <summary>The checked-in generated Python code is what sdk/python/scripts/generate.py makes of openapi/v1.json.</summary>
public sealed class PythonSdkGenerationTests
{
    [Fact]
    public async Task The_generated_python_code_matches_the_openapi_document()
    {
        var (exitCode, output, error) = await Repository.RunAsync(
            PythonSdk.Interpreter, ["sdk/python/scripts/generate.py", "--check"], new Dictionary<string, string> { ["PYTHONDONTWRITEBYTECODE"] = "1" });

        Assert.True(exitCode == 0, $"{error}{output}");
        Assert.Contains("generated files match", output);
    }
}

internal static class PythonSdk
{
    /// <summary>
    /// Debian's interpreter, where scripts/install-test-tools.sh puts httpx, pytest and mypy (PyPI is not reachable
    /// here); the python3 first on PATH may be another build without them.
    /// </summary>
    public const string Interpreter = "/usr/bin/python3";
}
