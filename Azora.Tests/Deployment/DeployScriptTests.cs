using System.Text.RegularExpressions;
using k8s.Models;

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
    public async Task A_production_deploy_gives_the_new_digests_to_the_idle_colour_only_and_leaves_traffic_where_it_is()
    {
        var images = await _cluster.RecordDigestsAsync("c0ffee1");

        var (exitCode, output, error) = await _cluster.RunAsync("deploy/apply.sh", ["production", "--tag", "c0ffee1"], liveColour: "green");

        Assert.True(exitCode == 0, output + error);
        var calls = await _cluster.CallsAsync();
        Assert.Equal(
            [
                "get service api --namespace azora-production --output jsonpath={.spec.selector.version} --ignore-not-found",
                "get deployment api-green --namespace azora-production --output jsonpath={.spec.template.spec.containers[0].image} --ignore-not-found",
                "delete job migrations --namespace azora-production --ignore-not-found",
                $"apply --filename {_cluster.WorkDirectory}/production/rendered.yaml --selector app.kubernetes.io/component!=service",
                "wait job/migrations --namespace azora-production --for condition=complete --timeout 10m",
                $"apply --filename {_cluster.WorkDirectory}/production/rendered.yaml",
                $"annotate deployment api-blue --namespace azora-production --overwrite azora.world/payments-image={images["payments"]}",
                "rollout status deployment/payments --namespace azora-production --timeout 10m",
                "rollout status deployment/web --namespace azora-production --timeout 10m",
                "rollout status deployment/api-blue --namespace azora-production --timeout 10m",
            ],
            calls);

        var rendered = await RenderedAsync("production");
        Assert.Equal(images["api"], rendered.Single<V1Deployment>("api-blue").Spec.Template.Spec.Containers[0].Image);
        Assert.Equal(FakeKubectl.PreviousApiImage, rendered.Single<V1Deployment>("api-green").Spec.Template.Spec.Containers[0].Image);
        Assert.Equal(images["payments"], rendered.Single<V1Deployment>("payments").Spec.Template.Spec.Containers[0].Image);
        Assert.Equal(images["migrations"], rendered.Single<V1Job>("migrations").Spec.Template.Spec.Containers[0].Image);
        Assert.Equal(images["web"], rendered.Single<V1Deployment>("web").Spec.Template.Spec.Containers[0].Image);
        Assert.Equal("green", rendered.Single<V1Service>("api").Spec.Selector["version"]);
        AssertEveryAzoraImageIsByDigest(rendered);
        Assert.Empty(ManifestPolicy.Check(rendered.Objects));
    }

    [Fact]
    public async Task A_staging_deploy_applies_every_image_by_the_digest_recorded_for_its_tag()
    {
        var digests = Path.Combine(_cluster.WorkDirectory, "from-the-images-job.digests");
        var images = await _cluster.RecordDigestsAsync("c0ffee1", digests);

        var (exitCode, output, error) = await _cluster.RunAsync("deploy/apply.sh", ["staging", "--tag", "c0ffee1", "--digests", digests], liveColour: "blue");

        Assert.True(exitCode == 0, output + error);
        var rendered = await RenderedAsync("staging");
        Assert.Equal(images["api"], rendered.Single<V1Deployment>("api").Spec.Template.Spec.Containers[0].Image);
        Assert.Equal(images["payments"], rendered.Single<V1Deployment>("payments").Spec.Template.Spec.Containers[0].Image);
        Assert.Equal(images["migrations"], rendered.Single<V1Job>("migrations").Spec.Template.Spec.Containers[0].Image);
        Assert.Equal(images["web"], rendered.Single<V1Deployment>("web").Spec.Template.Spec.Containers[0].Image);
        AssertEveryAzoraImageIsByDigest(rendered);
    }

    [Theory]
    [InlineData("none", "no image digests for c0ffee1")]
    [InlineData("other-tag", "has no digest of ghcr.io/azora-world/azora-api:c0ffee1")]
    public async Task A_deploy_without_the_digests_of_its_tag_is_refused_before_the_cluster_is_touched(string recorded, string message)
    {
        if (recorded == "other-tag")
        {
            await _cluster.RecordDigestsAsync("beef123", Path.Combine(_cluster.WorkDirectory, "images-c0ffee1.digests"));
        }

        var (exitCode, _, error) = await _cluster.RunAsync("deploy/apply.sh", ["staging", "--tag", "c0ffee1"], liveColour: "blue");

        Assert.Equal(1, exitCode);
        Assert.Contains(message, error);
        Assert.Empty(await _cluster.CallsAsync());
    }

    [Theory]
    [InlineData("deploy/apply.sh", "production --tag c0ffee1")]
    [InlineData("deploy/promote.sh", "--tag c0ffee1")]
    [InlineData("deploy/rollback.sh", "production")]
    public async Task A_cluster_that_cannot_be_read_stops_the_script_before_it_changes_anything(string script, string arguments)
    {
        await _cluster.RecordDigestsAsync("c0ffee1");

        var (exitCode, output, error) = await _cluster.RunAsync(script, arguments.Split(' '), liveColour: "green", failing: "get");

        Assert.True(exitCode == 1, output + error);
        Assert.Contains("error: could not read the cluster (kubectl get service api --namespace azora-production", error);
        Assert.Contains("The connection to the server 10.0.0.1:6443 was refused", error);
        Assert.All(await _cluster.CallsAsync(), call => Assert.StartsWith("get ", call));
    }

    [Fact]
    public async Task Only_a_cluster_without_the_objects_means_the_first_release_on_green()
    {
        var images = await _cluster.RecordDigestsAsync("c0ffee1");

        var (exitCode, output, error) = await _cluster.RunAsync("deploy/apply.sh", ["production", "--tag", "c0ffee1"], liveColour: "");

        Assert.True(exitCode == 0, output + error);
        Assert.Contains("# not in the cluster: assuming 'blue'", output);
        var rendered = await RenderedAsync("production");
        Assert.Equal("blue", rendered.Single<V1Service>("api").Spec.Selector["version"]);
        Assert.Equal(images["api"], rendered.Single<V1Deployment>("api-green").Spec.Template.Spec.Containers[0].Image);
        Assert.Equal(images["api"], rendered.Single<V1Deployment>("api-blue").Spec.Template.Spec.Containers[0].Image);
    }

    [Fact]
    public async Task A_failed_migration_stops_the_deploy_before_the_services_change()
    {
        await _cluster.RecordDigestsAsync("c0ffee1");

        var (exitCode, _, error) = await _cluster.RunAsync("deploy/apply.sh", ["staging", "--tag", "c0ffee1"], liveColour: "blue", failing: "wait");

        Assert.Equal(1, exitCode);
        Assert.Contains("the schema migration did not complete; the services were not changed", error);
        var calls = await _cluster.CallsAsync();
        Assert.DoesNotContain(calls, call => call == $"apply --filename {_cluster.WorkDirectory}/staging/rendered.yaml");
        Assert.DoesNotContain(calls, call => call.StartsWith("rollout", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(new string[0], "blue")]
    [InlineData(new[] { "--to", "green" }, "green")]
    public async Task Rollback_in_production_moves_traffic_and_the_payments_worker_back_together(string[] to, string colour)
    {
        var (exitCode, output, error) = await _cluster.RunAsync("deploy/rollback.sh", ["production", .. to], liveColour: "green");

        Assert.True(exitCode == 0, output + error);
        var calls = await _cluster.CallsAsync();
        Assert.Equal(
            [
                $"get deployment api-{colour} --namespace azora-production --output jsonpath={{.metadata.annotations.azora\\.world/payments-image}} --ignore-not-found",
                $"rollout status deployment/api-{colour} --namespace azora-production --timeout 1m",
                """patch service api --namespace azora-production --type merge --patch {"spec":{"selector":{"version":"COLOUR"}}}""".Replace("COLOUR", colour),
                $$"""patch deployment payments --namespace azora-production --type json --patch [{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"{{FakeKubectl.PreviousPaymentsImage}}"}]""",
                "rollout status deployment/payments --namespace azora-production --timeout 10m",
            ],
            calls.SkipWhile(call => call.StartsWith("get service", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("staging", "deployment/api --namespace azora-staging")]
    [InlineData("production", "deployment/api-blue --namespace azora-production")]
    public async Task Creating_an_admin_runs_the_operator_command_in_a_live_api_pod_with_the_password_on_stdin_only(string environment, string target)
    {
        const string password = "a-lighthouse-on-the-cliff-2026";

        var (exitCode, output, error) = await _cluster.RunAsync(
            "bash", ["-c", $"echo '{password}' | deploy/create-admin.sh {environment} --email ops@azora.world --name Ops"], liveColour: "blue");

        Assert.True(exitCode == 0, error);
        var calls = await _cluster.CallsAsync();
        Assert.Contains($"exec --stdin {target} -- dotnet /app/Azora.Api.dll admin create --email ops@azora.world --name Ops --password-stdin", calls);
        Assert.DoesNotContain(password, string.Join('\n', calls) + output + error);
        Assert.Contains("created admin ops@azora.world", output);
    }

    [Theory]
    [InlineData("staging", "--email is required")]
    [InlineData("qa --email ops@azora.world", "unknown environment 'qa'")]
    [InlineData("staging --email ops@azora.world --password hunter2", "unknown argument '--password'")]
    public async Task Creating_an_admin_with_wrong_arguments_or_no_password_touches_nothing(string arguments, string message)
    {
        var (exitCode, _, error) = await _cluster.RunAsync("bash", ["-c", $"deploy/create-admin.sh {arguments} </dev/null"], liveColour: "blue");

        Assert.Equal(1, exitCode);
        Assert.Contains(message, error);
        Assert.Empty(await _cluster.CallsAsync());
    }

    [Fact]
    public async Task Creating_an_admin_without_a_password_is_refused_before_the_pod_is_touched()
    {
        var (exitCode, _, error) = await _cluster.RunAsync("bash", ["-c", "deploy/create-admin.sh staging --email ops@azora.world </dev/null"], liveColour: "blue");

        Assert.Equal(1, exitCode);
        Assert.Contains("no password given", error);
        Assert.DoesNotContain(await _cluster.CallsAsync(), call => call.StartsWith("exec", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Building_the_images_records_the_digest_the_registry_got_for_each()
    {
        var (exitCode, output, error) = await BuildImagesAsync(digest: "sha256:" + new string('d', 64));

        Assert.True(exitCode == 0, output + error);
        Assert.Equal(
            ["api", "payments", "migrations", "web", "stripe-emulator"],
            (await File.ReadAllLinesAsync(Path.Combine(_cluster.WorkDirectory, "images-c0ffee1.digests")))
                .Select(line => Assert.Single(DigestLine().Matches(line)).Groups["name"].Value));
    }

    [Fact]
    public async Task Building_the_images_fails_when_the_sdk_reports_no_digest()
    {
        var (exitCode, _, error) = await BuildImagesAsync(digest: "");

        Assert.Equal(1, exitCode);
        Assert.Contains("the SDK reported no image digest for azora-api", error);
        Assert.False(File.Exists(Path.Combine(_cluster.WorkDirectory, "images-c0ffee1.digests")));
    }

    // deploy/build-images.sh with a stand-in dotnet that "pushes" and answers the digest request with the one given.
    private async Task<(int ExitCode, string Output, string Error)> BuildImagesAsync(string digest)
    {
        using var tools = new ScratchFolder();
        var dotnet = tools.PathOf("dotnet");
        await File.WriteAllTextAsync(dotnet, $$"""
            #!/usr/bin/env bash
            for arg in "$@"; do
              if [[ $arg == --getResultOutputFile:* && -n "{{digest}}" ]]; then echo "{{digest}}" > "${arg#*:}"; fi
            done
            """);
        File.SetUnixFileMode(dotnet, (UnixFileMode)0b111_101_101);
        return await Repository.RunAsync("deploy/build-images.sh", ["--tag", "c0ffee1"], new Dictionary<string, string>
        {
            ["PATH"] = $"{tools.PathOf("")}:{Environment.GetEnvironmentVariable("PATH")}",
            ["AZORA_DEPLOY_WORKDIR"] = _cluster.WorkDirectory,
        });
    }

    private async Task<BuiltOverlay> RenderedAsync(string environment) =>
        new("rendered", "", BuiltOverlay.Load(await File.ReadAllTextAsync(Path.Combine(_cluster.WorkDirectory, environment, "rendered.yaml"))));

    private static void AssertEveryAzoraImageIsByDigest(BuiltOverlay rendered)
    {
        var images = rendered.PodTemplates()
            .SelectMany(owned => owned.Template.Spec.Containers.Concat(owned.Template.Spec.InitContainers ?? []))
            .Select(container => container.Image)
            .Where(image => image.StartsWith("ghcr.io/azora-world/", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(images);
        Assert.All(images, image => Assert.Matches(@"^ghcr\.io/azora-world/azora-[a-z-]+@sha256:[0-9a-f]{64}$", image));
    }

    [GeneratedRegex(@"^ghcr\.io/azora-world/azora-(?<name>[a-z-]+):c0ffee1@sha256:[0-9a-f]{64}$")]
    private static partial Regex DigestLine();

    // A console block in the runbook that starts with "$ deploy/… --dry-run" and shows its output.
    [GeneratedRegex(@"```console\n\$ (?<command>deploy/[^\n]* --dry-run)\n(?<output>.*?)```", RegexOptions.Singleline)]
    private static partial Regex DryRunBlock();
}
