using System.Text.RegularExpressions;

namespace Azora.Tests.Deployment;

/// <summary>
/// The operator scripts in <c>deploy/</c>: their dry runs print what the deployment runbook says, and their real runs
/// against a stand-in <c>kubectl</c> (no cluster exists here) send the commands and objects a release needs.
/// </summary>
public sealed partial class DeployScriptTests : IDisposable
{
    private readonly FakeKubectl _cluster = new();

    public void Dispose() => _cluster.Dispose();

    public static TheoryData<string, string> DocumentedDryRuns()
    {
        var data = new TheoryData<string, string>();
        foreach (Match block in DryRunBlock().Matches(File.ReadAllText(Repository.PathOf("docs/deployment/DEPLOYMENT-RUNBOOK.md"))))
        {
            data.Add(block.Groups["command"].Value, block.Groups["output"].Value);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(DocumentedDryRuns))]
    public async Task Each_dry_run_prints_what_the_runbook_shows(string command, string documentedOutput)
    {
        var words = command.Split(' ');

        var (exitCode, output, error) = await Repository.RunAsync(words[0], words[1..]);

        Assert.True(exitCode == 0, error);
        Assert.Equal(documentedOutput.TrimEnd(), output.TrimEnd());
    }

    [Fact]
    public void Every_script_has_a_documented_dry_run()
    {
        var documented = DocumentedDryRuns().Select(row => ((string)row[0]).Split(' ')[0]).ToHashSet();
        var scripts = Directory.GetFiles(Repository.PathOf("deploy"), "*.sh")
            .Select(path => "deploy/" + Path.GetFileName(path))
            .Where(path => path != "deploy/lib.sh");

        Assert.All(scripts, script => Assert.Contains(script, documented));
    }

    [Fact]
    public async Task Every_shell_script_passes_shellcheck()
    {
        var scripts = Directory.GetFiles(Repository.Root, "*.sh", SearchOption.AllDirectories)
            .Where(path => !path.Contains("/node_modules/", StringComparison.Ordinal) && !path.Contains("/bin/", StringComparison.Ordinal))
            .Select(path => Path.GetRelativePath(Repository.Root, path))
            .Append(".ci/run")
            .ToList();

        var (exitCode, output, _) = await Repository.RunAsync("shellcheck", ["-x", "-P", "SCRIPTDIR", .. scripts]);

        Assert.True(exitCode == 0, output);
        Assert.Contains("deploy/promote.sh", scripts);
    }

    [Theory]
    [InlineData("deploy/apply.sh", "production --tag latest", "--tag latest is refused")]
    [InlineData("deploy/apply.sh", "qa --tag abc123", "unknown environment 'qa'")]
    [InlineData("deploy/apply.sh", "staging", "--tag must be an image tag")]
    [InlineData("deploy/switch.sh", "--to purple", "unknown colour 'purple'")]
    [InlineData("deploy/smoke-test.sh", "api.azora.world", "BASE_URL must look like")]
    [InlineData("deploy/build-images.sh", "--tag a/b", "--tag must be an image tag")]
    [InlineData("deploy/build-images.sh", "--tag latest", "--tag latest is refused")]
    [InlineData("deploy/rollback.sh", "staging --force", "unknown argument '--force'")]
    [InlineData("deploy/switch.sh", "--to", "--to needs a value")]
    [InlineData("deploy/promote.sh", "--tag abc123 --base-url", "--base-url needs a value")]
    public async Task Wrong_arguments_fail_loudly_before_anything_runs(string script, string arguments, string message)
    {
        var (exitCode, output, error) = await _cluster.RunAsync(script, arguments.Split(' '), liveColour: "blue");

        Assert.Equal(1, exitCode);
        Assert.Contains(message, error);
        Assert.DoesNotContain("+ kubectl", output);
    }

    [Fact]
    public async Task A_production_deploy_gives_the_new_tag_to_the_idle_colour_only_and_leaves_traffic_where_it_is()
    {
        var (exitCode, output, error) = await _cluster.RunAsync("deploy/apply.sh", ["production", "--tag", "c0ffee1"], liveColour: "green");

        Assert.True(exitCode == 0, output + error);
        var calls = await _cluster.CallsAsync();
        Assert.Equal(
            [
                "get service api --namespace azora-production --output jsonpath={.spec.selector.version}",
                "get deployment api-green --namespace azora-production --output jsonpath={.spec.template.spec.containers[0].image}",
                "delete job migrations --namespace azora-production --ignore-not-found",
                $"apply --filename {_cluster.WorkDirectory}/production/rendered.yaml --selector app.kubernetes.io/component!=service",
                "wait job/migrations --namespace azora-production --for condition=complete --timeout 10m",
                $"apply --filename {_cluster.WorkDirectory}/production/rendered.yaml",
                "rollout status deployment/payments --namespace azora-production --timeout 10m",
                "rollout status deployment/api-blue --namespace azora-production --timeout 10m",
            ],
            calls);

        var rendered = new BuiltOverlay("rendered", "", BuiltOverlay.Load(await File.ReadAllTextAsync(Path.Combine(_cluster.WorkDirectory, "production", "rendered.yaml"))));
        Assert.Equal("ghcr.io/azora-world/azora-api:c0ffee1", rendered.Single<k8s.Models.V1Deployment>("api-blue").Spec.Template.Spec.Containers[0].Image);
        Assert.Equal("ghcr.io/azora-world/azora-api:previous", rendered.Single<k8s.Models.V1Deployment>("api-green").Spec.Template.Spec.Containers[0].Image);
        Assert.Equal("ghcr.io/azora-world/azora-payments:c0ffee1", rendered.Single<k8s.Models.V1Deployment>("payments").Spec.Template.Spec.Containers[0].Image);
        Assert.Equal("ghcr.io/azora-world/azora-migrations:c0ffee1", rendered.Single<k8s.Models.V1Job>("migrations").Spec.Template.Spec.Containers[0].Image);
        Assert.Equal("green", rendered.Single<k8s.Models.V1Service>("api").Spec.Selector["version"]);
        Assert.Empty(ManifestPolicy.Check(rendered.Objects));
    }

    [Fact]
    public async Task A_failed_migration_stops_the_deploy_before_the_services_change()
    {
        var (exitCode, _, error) = await _cluster.RunAsync("deploy/apply.sh", ["staging", "--tag", "c0ffee1"], liveColour: "blue", failing: "wait");

        Assert.Equal(1, exitCode);
        Assert.Contains("the schema migration did not complete; the services were not changed", error);
        var calls = await _cluster.CallsAsync();
        Assert.DoesNotContain(calls, call => call == $"apply --filename {_cluster.WorkDirectory}/staging/rendered.yaml");
        Assert.DoesNotContain(calls, call => call.StartsWith("rollout", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Rollback_in_production_moves_traffic_to_the_colour_that_is_not_live()
    {
        var (exitCode, output, error) = await _cluster.RunAsync("deploy/rollback.sh", ["production"], liveColour: "green");

        Assert.True(exitCode == 0, output + error);
        var calls = await _cluster.CallsAsync();
        Assert.Equal(
            """patch service api --namespace azora-production --type merge --patch {"spec":{"selector":{"version":"blue"}}}""",
            calls[^1]);
    }

    // A console block in the runbook that starts with "$ deploy/… --dry-run" and shows its output.
    [GeneratedRegex(@"```console\n\$ (?<command>deploy/[^\n]* --dry-run)\n(?<output>.*?)```", RegexOptions.Singleline)]
    private static partial Regex DryRunBlock();
}
