namespace Azora.Tests.Deployment;

/// <summary>
/// deploy/drill.sh against a stand-in for kubectl whose Prometheus reports AzoraServiceDown for payments while the
/// worker is scaled to zero (and, in the second case, never): the drill breaks, waits for the page, walks the playbook
/// and recovers, and always scales the worker back.
/// </summary>
public sealed class DrillScriptTests : IDisposable
{
    private readonly ScratchFolder _scratch = new();

    public void Dispose() => _scratch.Dispose();

    // Besides the drill's alert, alerts for another service and another alert for payments, which must not count.
    private const string Unrelated = """{"labels":{"alertname":"AzoraServiceDown","service":"api"},"state":"firing"},{"labels":{"alertname":"AzoraMailFailing","service":"payments"},"state":"firing"}""";
    private const string Firing = """{"labels":{"alertname":"AzoraServiceDown","service":"payments","severity":"critical"},"state":"firing"}""";

    private async Task<(int ExitCode, string Output, string Error, string[] Calls)> RunAsync(bool alertFires, params string[] arguments)
    {
        var bin = _scratch.CreateFolder("bin");
        var whileDown = "{\"status\":\"success\",\"data\":{\"alerts\":[" + Unrelated + "," + Firing + "]}}";
        var otherwise = "{\"status\":\"success\",\"data\":{\"alerts\":[" + Unrelated + "]}}";
        var fake = Path.Combine(bin, "kubectl");
        await File.WriteAllTextAsync(fake, $$"""
            #!/usr/bin/env bash
            echo "$*" >> {{bin}}/calls
            case "$1 $2" in
              "get deployment") echo -n 3 ;;
              "scale "*) if [[ $* == *"--replicas 0"* ]]; then touch {{bin}}/down; else rm -f {{bin}}/down; fi ;;
              "get --raw")
                if [[ -e {{bin}}/down && {{(alertFires ? "true" : "false")}} == true ]]; then
                  echo '{{whileDown}}'
                else
                  echo '{{otherwise}}'
                fi ;;
            esac
            exit 0
            """);
        File.SetUnixFileMode(fake, (UnixFileMode)0b111_101_101);
        var (exitCode, output, error) = await Repository.RunAsync("deploy/drill.sh", arguments, new Dictionary<string, string>
        {
            ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}",
            ["AZORA_DRILL_POLL_SECONDS"] = "0.1",
        });
        var calls = File.Exists(Path.Combine(bin, "calls")) ? await File.ReadAllLinesAsync(Path.Combine(bin, "calls")) : [];
        return (exitCode, output, error, calls);
    }

    [Fact]
    public async Task The_drill_fires_the_alert_walks_the_playbook_and_recovers()
    {
        var (exitCode, output, error, calls) = await RunAsync(alertFires: true);

        Assert.True(exitCode == 0, output + error);
        var scaleDown = Array.IndexOf(calls, "scale deployment/payments --namespace azora-staging --replicas 0");
        var fired = Array.FindIndex(calls, scaleDown, call => call.StartsWith("get --raw /api/v1/namespaces/monitoring/services/prometheus-operated:web/proxy/api/v1/alerts", StringComparison.Ordinal));
        var playbook = Array.IndexOf(calls, "get pods --namespace azora-staging --selector app.kubernetes.io/name=payments");
        var scaleBack = Array.IndexOf(calls, "scale deployment/payments --namespace azora-staging --replicas 3");
        Assert.True(scaleDown >= 0 && scaleDown < fired && fired < playbook && playbook < scaleBack, string.Join('\n', calls));
        Assert.Contains("rollout status deployment/payments --namespace azora-staging --timeout 10m", calls[scaleBack..]);
        Assert.Matches(@"AzoraServiceDown is firing after \d+s", output);
        Assert.Matches(@"AzoraServiceDown is resolved after \d+s", output);
        Assert.Single(calls, call => call.Contains("--replicas 3", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_alert_that_never_fires_fails_the_drill_and_the_worker_is_still_scaled_back()
    {
        var (exitCode, _, error, calls) = await RunAsync(alertFires: false, "--wait", "1");

        Assert.Equal(1, exitCode);
        Assert.Contains("AzoraServiceDown was not 'firing' after 1s", error);
        Assert.Equal("scale deployment/payments --namespace azora-staging --replicas 3", calls.Last(call => call.StartsWith("scale", StringComparison.Ordinal)));
        Assert.DoesNotContain(calls, call => call.StartsWith("get pods", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_drill_refuses_production_before_touching_the_cluster()
    {
        var (exitCode, _, error, calls) = await RunAsync(alertFires: true, "--namespace", "azora-production");

        Assert.Equal(1, exitCode);
        Assert.Contains("production is refused", error);
        Assert.Empty(calls);
    }
}
