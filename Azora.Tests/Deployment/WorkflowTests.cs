using System.Text.RegularExpressions;

namespace Azora.Tests.Deployment;

/// <summary>The GitHub workflows, checked offline: schema (action-validator) and the scripts they call.</summary>
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
        Assert.Contains("if: failure() && steps.promote.outcome == 'success'", deploy);
        Assert.Contains("if: failure()\n        uses: actions/github-script", deploy);
        Assert.Contains("AZORA_BASE_URL: https://api-staging.azora.world", deploy);
    }

    private static async Task<(int ExitCode, string Output, string Error)> ValidateAsync(string workflow)
    {
        var validator = Repository.PathOf("tools/workflow-validation/node_modules/.bin/action-validator");
        Assert.True(File.Exists(validator), "Run scripts/test.sh: it installs tools/workflow-validation (npm ci).");
        return await Repository.RunAsync(validator, [workflow]);
    }

    [GeneratedRegex(@"\b((?:deploy|scripts)/[a-z-]+\.sh)\b")]
    private static partial Regex ScriptCall();
}
