using Azora.Tests.Stack;

namespace Azora.Tests.Deployment;

/// <summary><c>deploy/smoke-test.sh</c> for real, against the local stack's API.</summary>
[Collection(StackCollection.Name)]
public sealed class SmokeTestScriptTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task The_smoke_test_passes_against_a_running_api()
    {
        var baseUrl = stack.App.GetEndpoint("api", "http").ToString().TrimEnd('/');

        var (exitCode, output, error) = await Repository.RunAsync("deploy/smoke-test.sh", [baseUrl]);

        Assert.True(exitCode == 0, output + error);
        Assert.Contains("ok   GET /api/education/courses?limit=1", output);
        Assert.Contains("ok   GET /.well-known/jwks.json", output);
        Assert.Contains($"smoke test passed: {baseUrl}", output);
    }

    [Fact]
    public async Task The_smoke_test_fails_naming_the_check_when_the_url_is_not_the_api()
    {
        var paymentsUrl = stack.App.GetEndpoint("payments", "http").ToString().TrimEnd('/');

        var (exitCode, output, error) = await Repository.RunAsync("deploy/smoke-test.sh", [paymentsUrl]);

        Assert.Equal(1, exitCode);
        Assert.Matches(@"error: GET /api/education/courses\?limit=1: HTTP/1.1 404", error);
        Assert.DoesNotContain("smoke test passed", output);
    }
}
