using System.Text.RegularExpressions;
using YamlDotNet.Serialization;

namespace Azora.Tests.Deployment;

/// <summary>
/// The GitHub workflows, checked offline: schema (action-validator), the scripts they call, and the rules that keep the
/// pipeline safe (actions pinned by commit, least privilege per job, deploys only after CI, separate concurrency groups,
/// rollback on failure or cancellation, test evidence kept and reported).
/// </summary>
public sealed partial class WorkflowTests : IDisposable
{
    private readonly ScratchFolder _scratch = new();

    public void Dispose() => _scratch.Dispose();

    public static TheoryData<string> Workflows() =>
        new(Directory.GetFiles(Repository.PathOf(".github/workflows"), "*.yml").Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(Workflows))]
    public async Task Each_workflow_passes_action_validator(string workflow)
    {
        var (exitCode, output, error) = await ValidateAsync(Repository.PathOf($".github/workflows/{workflow}"));

        Assert.True(exitCode == 0, output + error);
    }

    [Fact]
    public async Task Action_validator_refuses_a_broken_workflow()
    {
        var broken = await _scratch.WriteAsync("ci.yml", (await File.ReadAllTextAsync(Repository.PathOf(".github/workflows/ci.yml")))
            .Replace("    runs-on: ubuntu-latest\n", "    runs_on: ubuntu-latest\n"));

        var (exitCode, output, error) = await ValidateAsync(broken);

        Assert.NotEqual(0, exitCode);
        Assert.Contains("runs_on", output + error);
    }

    [Fact]
    public void Every_script_a_workflow_runs_exists_and_is_executable()
    {
        var scripts = Directory.GetFiles(Repository.PathOf(".github/workflows"), "*.yml")
            .SelectMany(workflow => ScriptCall().Matches(File.ReadAllText(workflow)))
            .Select(match => match.Groups[1].Value)
            .ToHashSet();

        Assert.Contains("deploy/promote.sh", scripts);
        Assert.Contains("deploy/rollback.sh", scripts);
        Assert.Contains("benchmarks/soak.sh", scripts);
        Assert.All(scripts, script =>
        {
            Assert.True(File.Exists(Repository.PathOf(script)), $"{script} does not exist");
            Assert.True(File.GetUnixFileMode(Repository.PathOf(script)).HasFlag(UnixFileMode.UserExecute), $"{script} is not executable");
        });
    }

    [Fact]
    public void The_deploy_workflow_goes_to_production_only_through_its_approval_and_after_staging()
    {
        var deploy = File.ReadAllText(Repository.PathOf(".github/workflows/deploy.yml"));

        Assert.Matches(@"production:\n    needs: staging\n(.*\n)*?    environment:\n      name: production", deploy);
        Assert.Contains("if: failure()\n        uses: actions/github-script", deploy);
        Assert.Contains("AZORA_BASE_URL: https://api-staging.azora.world", deploy);
    }

    [Fact]
    public void Every_action_is_pinned_by_a_full_commit_sha_with_its_tag_as_a_comment()
    {
        var uses = Directory.GetFiles(Repository.PathOf(".github/workflows"), "*.yml")
            .SelectMany(workflow => File.ReadAllLines(workflow).Select(line => (Workflow: Path.GetFileName(workflow), Line: line.Trim())))
            .Where(item => UsesLine().IsMatch(item.Line))
            .ToList();

        Assert.NotEmpty(uses);
        Assert.All(uses, item => Assert.True(
            PinnedAction().IsMatch(item.Line), $"{item.Workflow}: '{item.Line}' is not pinned as 'owner/repo@<40 hex> # vX.Y.Z'"));
    }

    [Fact]
    public void Dependabot_keeps_the_actions_the_nuget_packages_and_every_npm_tool_fresh()
    {
        var updates = List(Load(".github/dependabot.yml")["updates"]).Select(Map).ToList();
        string[] Directories(string ecosystem) => updates
            .Where(update => (string)update["package-ecosystem"] == ecosystem)
            .SelectMany(update => update.TryGetValue("directories", out var many) ? List(many).Cast<string>() : [(string)update["directory"]])
            .ToArray();

        Assert.Contains("/", Directories("github-actions"));
        Assert.Contains("/", Directories("nuget"));
        var npmTools = new[] { "tools", "sdk" }
            .SelectMany(folder => Directory.GetFiles(Repository.PathOf(folder), "package-lock.json", SearchOption.AllDirectories))
            .Where(path => !path.Contains("/node_modules/", StringComparison.Ordinal))
            .Select(path => "/" + Path.GetRelativePath(Repository.Root, Path.GetDirectoryName(path)!))
            .ToList();
        Assert.NotEmpty(npmTools);
        Assert.All(npmTools, tool => Assert.Contains(tool, Directories("npm")));
    }

    [Fact]
    public void Every_workflow_grants_nothing_by_default_and_each_job_only_what_it_needs()
    {
        var expected = new Dictionary<string, Dictionary<string, string>>
        {
            ["ci.yml/test"] = new() { ["contents"] = "read", ["checks"] = "write" },
            ["deploy.yml/images"] = new() { ["contents"] = "read", ["packages"] = "write" },
            ["deploy.yml/staging"] = new() { ["contents"] = "read", ["checks"] = "write", ["pull-requests"] = "write" },
            ["deploy.yml/production"] = new() { ["contents"] = "read" },
            ["deploy.yml/production-results"] = new() { ["contents"] = "read", ["checks"] = "write" },
            ["soak.yml/soak"] = new() { ["contents"] = "read" },
        };

        var actual = new Dictionary<string, Dictionary<string, string>>();
        foreach (var workflow in Directory.GetFiles(Repository.PathOf(".github/workflows"), "*.yml").Select(Path.GetFileName))
        {
            var document = Load($".github/workflows/{workflow}");
            Assert.True(document.TryGetValue("permissions", out var top) && Map(top).Count == 0, $"{workflow} must start from 'permissions: {{}}'");
            foreach (var (name, job) in Jobs(document))
            {
                Assert.True(job.ContainsKey("permissions"), $"{workflow}/{name} must name its permissions");
                actual[$"{workflow}/{name}"] = Map(job["permissions"]).ToDictionary(entry => (string)entry.Key, entry => (string)entry.Value);
            }
        }

        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        Assert.All(expected, job => Assert.Equal(job.Value.OrderBy(entry => entry.Key), actual[job.Key].OrderBy(entry => entry.Key)));
    }

    [Fact]
    public void Each_cluster_credential_is_an_environment_secret_read_only_by_the_job_of_that_environment()
    {
        var jobs = Jobs(Load(".github/workflows/deploy.yml"));
        var readers = jobs.SelectMany(job => KubeconfigSecret().Matches(Yaml(job.Value)).Select(match => (Job: job.Key, Environment: match.Groups[1].Value.ToLowerInvariant())))
            .ToList();

        Assert.Equal(["production", "staging"], readers.Select(reader => reader.Environment).Order());
        Assert.All(readers, reader => Assert.Equal(reader.Environment, (string)Map(jobs[reader.Job]["environment"])["name"]));
    }

    [Fact]
    public void The_deploy_workflow_runs_only_after_ci_succeeded_on_a_push_and_deploys_the_commit_ci_tested()
    {
        var deploy = Load(".github/workflows/deploy.yml");
        var trigger = Map(deploy["on"]);
        var jobs = Jobs(deploy);

        Assert.Equal(["workflow_run"], trigger.Keys.Cast<string>());
        var run = Map(trigger["workflow_run"]);
        Assert.Equal(["CI"], List(run["workflows"]).Cast<string>());
        Assert.Equal(["completed"], List(run["types"]).Cast<string>());
        var gate = (string)jobs["images"]["if"];
        Assert.Contains("github.event.workflow_run.conclusion == 'success'", gate);
        Assert.Contains("github.event.workflow_run.event == 'push'", gate);
        Assert.Contains("github.event.workflow_run.head_repository.full_name == github.repository", gate);
        // Every other job runs after the gated one.
        Assert.All(jobs.Keys.Where(name => name != "images"), name => Assert.Contains("images", Upstream(jobs, name)));

        Assert.Equal("${{ github.event.workflow_run.head_sha }}", (string)Map(deploy["env"])["TAG"]);
        var checkouts = jobs.Values.SelectMany(Steps).Where(step => step.TryGetValue("uses", out var uses) && ((string)uses).StartsWith("actions/checkout@", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(checkouts);
        Assert.All(checkouts, step => Assert.Equal("${{ github.event.workflow_run.head_sha }}", (string)Map(step["with"])["ref"]));
    }

    [Fact]
    public void Staging_and_production_deploys_queue_in_separate_groups_so_an_approval_wait_never_blocks_staging()
    {
        var deploy = Load(".github/workflows/deploy.yml");
        var jobs = Jobs(deploy);

        Assert.False(deploy.ContainsKey("concurrency"), "a workflow-wide group makes staging wait behind a production run awaiting approval");
        var staging = Map(jobs["staging"]["concurrency"]);
        var production = Map(jobs["production"]["concurrency"]);
        Assert.NotEqual((string)staging["group"], (string)production["group"]);
        Assert.Equal("false", staging["cancel-in-progress"]);
        Assert.Equal("false", production["cancel-in-progress"]);
    }

    [Fact]
    public void Production_rolls_back_traffic_and_payments_to_the_colour_that_served_on_failure_cancellation_or_timeout()
    {
        var steps = Steps(Jobs(Load(".github/workflows/deploy.yml"))["production"]).ToList();
        var live = steps.FindIndex(step => step.TryGetValue("id", out var id) && (string)id == "live");
        var promote = steps.FindIndex(step => step.TryGetValue("id", out var id) && (string)id == "promote");
        var rollback = steps.FindIndex(step => step.TryGetValue("run", out var run) && ((string)run).Contains("deploy/rollback.sh production", StringComparison.Ordinal));

        Assert.True(live >= 0 && live < promote && promote < rollback, "the live colour is noted before the release, the rollback comes after it");
        var condition = (string)steps[rollback]["if"];
        Assert.Contains("failure() || cancelled()", condition);
        Assert.Contains("steps.promote.outcome != 'skipped'", condition);
        Assert.Contains("--to \"$PREVIOUS_COLOUR\"", (string)steps[rollback]["run"]);
        Assert.Equal("${{ steps.live.outputs.colour }}", (string)Map(steps[rollback]["env"])["PREVIOUS_COLOUR"]);
    }

    [Fact]
    public void End_to_end_evidence_lands_in_the_workspace_and_every_run_of_the_suite_is_reported()
    {
        var jobs = Jobs(Load(".github/workflows/deploy.yml"));
        var suites = jobs.Values.SelectMany(Steps).Where(step => step.TryGetValue("run", out var run) && ((string)run).StartsWith("dotnet test Azora.EndToEnd", StringComparison.Ordinal)).ToList();
        var reported = jobs.Values.SelectMany(Steps)
            .Where(step => step.TryGetValue("uses", out var uses) && ((string)uses).StartsWith("dorny/test-reporter@", StringComparison.Ordinal))
            .Select(step => (string)Map(step["with"])["path"])
            .ToList();

        Assert.Equal(2, suites.Count);
        Assert.All(suites, suite =>
        {
            var results = Regex.Match((string)suite["run"], "--results-directory (\\S+)").Groups[1].Value;
            Assert.Equal($"${{{{ github.workspace }}}}/{results}/artifacts", (string)Map(suite["env"])["AZORA_E2E_ARTIFACTS"]);
            Assert.Contains($"{results}/*.trx", reported);
        });
    }

    [Fact]
    public void The_soak_runs_nightly_and_on_demand_on_cis_setup_fails_with_the_soak_and_always_keeps_its_report()
    {
        var soak = Load(".github/workflows/soak.yml");
        var trigger = Map(soak["on"]);
        var job = Jobs(soak)["soak"];
        var ci = Jobs(Load(".github/workflows/ci.yml"))["test"];

        Assert.Matches(@"^\S+ \S+ \* \* \*$", (string)Map(List(trigger["schedule"]).Single())["cron"]);
        var minutes = Map(Map(Map(trigger["workflow_dispatch"])["inputs"])["minutes"]);
        Assert.Equal("10", (string)minutes["default"]);
        Assert.Equal("${{ inputs.minutes || 10 }}", (string)Map(job["env"])["MINUTES"]);

        // Everything before the soak is ci.yml's setup, step for step, on the same runner.
        Assert.Equal((string)ci["runs-on"], (string)job["runs-on"]);
        var steps = Steps(job).ToList();
        var run = steps.FindIndex(step => step.TryGetValue("run", out var command) && (string)command == "benchmarks/soak.sh \"$MINUTES\"");
        Assert.True(run > 0, "a step runs benchmarks/soak.sh \"$MINUTES\"");
        Assert.Equal(Steps(ci).Take(run).Select(Yaml), steps.Take(run).Select(Yaml));
        // A soak that exits non-zero (an invariant broke) fails the run.
        Assert.False(steps[run].ContainsKey("continue-on-error"));

        var keep = steps.Skip(run + 1).Single(step => step.TryGetValue("uses", out var uses) && ((string)uses).StartsWith("actions/upload-artifact@", StringComparison.Ordinal));
        Assert.Equal("always()", (string)keep["if"]);
        Assert.Equal("benchmarks/results/soak-*.md", (string)Map(keep["with"])["path"]);
    }

    [Fact]
    public void The_images_and_production_jobs_say_why_they_failed_on_the_run_summary()
    {
        var jobs = Jobs(Load(".github/workflows/deploy.yml"));

        Assert.All(new[] { "images", "production" }, name => Assert.Contains(Steps(jobs[name]), step =>
            step.TryGetValue("if", out var condition) && ((string)condition).Contains("failure()", StringComparison.Ordinal)
            && step.TryGetValue("run", out var run) && ((string)run).Contains("$GITHUB_STEP_SUMMARY", StringComparison.Ordinal)));
    }

    private static Dictionary<object, object> Load(string path) =>
        Map(new DeserializerBuilder().Build().Deserialize<object>(File.ReadAllText(Repository.PathOf(path))));

    private static Dictionary<object, object> Map(object? node) =>
        node as Dictionary<object, object> ?? (node is null ? [] : throw new Xunit.Sdk.XunitException($"expected a mapping, got {node}"));

    private static List<object> List(object? node) =>
        node as List<object> ?? throw new Xunit.Sdk.XunitException($"expected a list, got {node}");

    private static Dictionary<string, Dictionary<object, object>> Jobs(Dictionary<object, object> workflow) =>
        Map(workflow["jobs"]).ToDictionary(job => (string)job.Key, job => Map(job.Value));

    private static IEnumerable<Dictionary<object, object>> Steps(Dictionary<object, object> job) =>
        job.TryGetValue("steps", out var steps) ? List(steps).Select(Map) : [];

    private static string Yaml(object node) => new SerializerBuilder().Build().Serialize(node);

    // The jobs a job waits for, directly or through others.
    private static HashSet<string> Upstream(Dictionary<string, Dictionary<object, object>> jobs, string name)
    {
        var found = new HashSet<string>();
        var pending = new Stack<string>([name]);
        while (pending.TryPop(out var current))
        {
            var needs = jobs[current].TryGetValue("needs", out var value) ? value is string one ? [one] : List(value).Cast<string>() : [];
            foreach (var need in needs.Where(found.Add))
            {
                pending.Push(need);
            }
        }

        return found;
    }

    private static async Task<(int ExitCode, string Output, string Error)> ValidateAsync(string workflow)
    {
        var validator = Repository.PathOf("tools/workflow-validation/node_modules/.bin/action-validator");
        Assert.True(File.Exists(validator), "Run scripts/test.sh: it installs tools/workflow-validation (npm ci).");
        return await Repository.RunAsync(validator, [workflow]);
    }

    [GeneratedRegex(@"\b((?:deploy|scripts|benchmarks)/[a-z-]+\.sh)\b")]
    private static partial Regex ScriptCall();

    [GeneratedRegex(@"^(?:- )?uses:")]
    private static partial Regex UsesLine();

    [GeneratedRegex(@"^(?:- )?uses: [\w.-]+/[\w.-]+(?:/[\w./-]+)?@[0-9a-f]{40} # v\d+(?:\.\d+)*$")]
    private static partial Regex PinnedAction();

    [GeneratedRegex(@"secrets\.KUBECONFIG_([A-Z]+)")]
    private static partial Regex KubeconfigSecret();
}
