using Azora.Tests.Stack;

namespace Azora.Tests.Deployment;

/// <summary>
/// <c>deploy/promote.sh</c> for real, with the cluster played by <see cref="FakeKubectl"/> and the smoke tests run
/// against the local stack: the API stands for a healthy release, the payments worker (no catalog) for a broken one.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class PromoteScriptTests(AzoraStackFixture stack) : IDisposable
{
    private readonly FakeKubectl _cluster = new();

    public void Dispose() => _cluster.Dispose();

    private Uri Healthy => stack.App.GetEndpoint("api", "http");

    private Uri Broken => stack.App.GetEndpoint("payments", "http");

    private async Task<(int ExitCode, string Output, string Error)> PromoteAsync(Uri idleColour, Uri publicUrl)
    {
        await _cluster.RecordDigestsAsync("c0ffee1");
        return await _cluster.RunAsync(
            "deploy/promote.sh", ["--tag", "c0ffee1", "--base-url", publicUrl.ToString().TrimEnd('/')], liveColour: "blue",
            environment: new Dictionary<string, string> { ["AZORA_SMOKE_PORT"] = idleColour.Port.ToString() });
    }

    private const string ToGreen = """patch service api --namespace azora-production --type merge --patch {"spec":{"selector":{"version":"green"}}}""";
    private const string ToBlue = """patch service api --namespace azora-production --type merge --patch {"spec":{"selector":{"version":"blue"}}}""";

    [Fact]
    public async Task A_healthy_release_goes_to_the_idle_colour_and_then_gets_the_traffic()
    {
        var (exitCode, output, error) = await PromoteAsync(idleColour: Healthy, publicUrl: Healthy);

        Assert.True(exitCode == 0, output + error);
        var calls = await _cluster.CallsAsync();
        Assert.Contains("rollout status deployment/api-green --namespace azora-production --timeout 10m", calls);
        Assert.Contains("port-forward service/api-green 18080:80 --namespace azora-production".Replace("18080", Healthy.Port.ToString()), calls);
        Assert.Equal(ToGreen, calls[^1]);
        Assert.Contains("released c0ffee1: green is live, blue stays up for deploy/rollback.sh production", output);
    }

    [Fact]
    public async Task A_release_failing_its_smoke_test_on_the_idle_colour_never_gets_traffic()
    {
        var (exitCode, _, error) = await PromoteAsync(idleColour: Broken, publicUrl: Healthy);

        Assert.Equal(1, exitCode);
        Assert.Contains("api-green failed its smoke test; traffic stays on blue", error);
        Assert.DoesNotContain(await _cluster.CallsAsync(), call => call.StartsWith("patch service api", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_release_failing_the_public_smoke_test_after_the_switch_is_rolled_back_at_once()
    {
        var (exitCode, _, error) = await PromoteAsync(idleColour: Healthy, publicUrl: Broken);

        Assert.Equal(1, exitCode);
        var patches = (await _cluster.CallsAsync()).Where(call => call.StartsWith("patch service api", StringComparison.Ordinal)).ToList();
        Assert.Equal([ToGreen, ToBlue], patches);
        Assert.Contains(
            $$"""patch deployment payments --namespace azora-production --type json --patch [{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"{{FakeKubectl.PreviousPaymentsImage}}"}]""",
            await _cluster.CallsAsync());
        Assert.Contains("release c0ffee1 rolled back; blue serves again", error);
    }
}
