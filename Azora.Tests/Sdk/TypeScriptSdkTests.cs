using Azora.Tests.Api;
using Azora.Tests.Stack;

namespace Azora.Tests.Sdk;

/// <summary>
/// The TypeScript SDK (<c>sdk/typescript</c>): its own tests (<c>node --test</c>: unit tests against local servers,
/// its README examples, and the live tests against this stack's API, including a real signed webhook delivery).
/// </summary>
[Collection(StackCollection.Name)]
public class TypeScriptSdkTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task The_sdk_tests_pass_against_the_stack()
    {
        var api = stack.App.GetEndpoint("api", "http").ToString().TrimEnd('/');

        // Paying needs a verified email; the suite cannot read mail, so its buyer is verified here.
        using var http = stack.CreateApiClient();
        var buyer = await TestAccounts.RegisterVerifiedAsync(stack, http);

        var (exitCode, output, error) = await TypeScriptSdk.RunAsync(["test"], new Dictionary<string, string>
        {
            ["AZORA_API_URL"] = api, ["AZORA_BUYER_EMAIL"] = buyer.Email, ["AZORA_BUYER_PASSWORD"] = TestAccounts.Password,
        });

        Assert.True(exitCode == 0, $"npm test in sdk/typescript exited with {exitCode}:\n{output}\n{error}");
        // The live tests ran rather than skipped, and the runner counted what it ran.
        Assert.DoesNotContain("AZORA_API_URL is not set", output, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^# pass [1-9]\d*$", output);
        Assert.Matches(@"(?m)^# fail 0$", output);
        Assert.Matches(@"(?m)^# skipped 0$", output);
    }
}

/// <summary>The SDK's generated types are what openapi-typescript makes of the checked-in <c>openapi/v1.json</c>.</summary>
public class TypeScriptSdkSchemaTests
{
    [Fact]
    public async Task The_generated_schema_is_up_to_date_with_the_openapi_document()
    {
        var (exitCode, output, error) = await TypeScriptSdk.RunAsync(["run", "check-generated"]);

        Assert.True(exitCode == 0, $"{output}\n{error}");
        Assert.Contains("src/generated/schema.ts is up to date", output, StringComparison.Ordinal);
    }
}

internal static class TypeScriptSdk
{
    public static Task<(int ExitCode, string Output, string Error)> RunAsync(IEnumerable<string> npmArguments, IDictionary<string, string>? environment = null)
    {
        var package = Repository.PathOf("sdk/typescript");
        Assert.True(Directory.Exists(Path.Combine(package, "node_modules")), "Run scripts/test.sh: it installs sdk/typescript (npm ci) and builds it.");
        return Repository.RunAsync("npm", npmArguments, environment, package);
    }
}
