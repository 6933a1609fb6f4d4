using System.Text.RegularExpressions;
using Azora.Manifests.Monitoring;

namespace Azora.Tests.Deployment;

/// <summary>
/// The runbook's routines (monitoring checklist, incident drill, escalation, maintenance windows) and the guide's
/// retention promises, held to the repository: every check names something an operator can open, the drill fires an
/// alert staging has, and the retention the guide states is the one the monitoring values set.
/// </summary>
public sealed partial class OperationsDocsTests
{
    private const string Runbook = "docs/operations/OPERATIONS-RUNBOOK.md", Guide = "docs/deployment/INFRASTRUCTURE-GUIDE.md";

    [Fact]
    public void Every_monitoring_check_names_a_panel_an_alert_a_script_or_a_command()
    {
        var section = Markdown.Section(Repository.PathOf(Runbook), "monitoring-checklist");
        // A check is its "- [ ]" line and the indented lines that continue it.
        var checks = CheckItem().Matches(section).Select(match => Regex.Replace(match.Value, @"\s+", " ")).ToList();

        foreach (var period in (string[])["**Daily**", "**Weekly**", "**Monthly**"])
        {
            Assert.Contains(period, section);
        }

        Assert.True(checks.Count >= 15, $"only {checks.Count} checks");
        Assert.All(checks, check => Assert.True(
            Names().IsMatch(check), $"the check \"{check}\" names no dashboard panel, alert, script or command"));
    }

    [Fact]
    public async Task The_drill_fires_an_alert_staging_has_and_the_runbook_walks_its_playbook()
    {
        var script = await File.ReadAllTextAsync(Repository.PathOf("deploy/drill.sh"));
        var alert = Regex.Match(script, @"^alert=(\w+)$", RegexOptions.Multiline).Groups[1].Value;
        var service = Regex.Match(script, @"^service=(\w+)$", RegexOptions.Multiline).Groups[1].Value;

        var staging = (await BuiltOverlay.GetAsync("staging")).Single<PrometheusRule>("azora-alerts");
        var rule = staging.Spec.Groups.SelectMany(group => group.Rules).Single(rule => rule.Alert == alert && rule.Labels.TryGetValue("service", out var label) && label == service);
        Assert.Contains("namespace=\"azora-staging\"", rule.Expr);
        Assert.Contains(service, (await BuiltOverlay.GetAsync("staging")).All<k8s.Models.V1Deployment>().Select(deployment => deployment.Metadata.Name));

        var drill = Markdown.Section(Repository.PathOf(Runbook), "incident-drill");
        Assert.Contains("`deploy/drill.sh --dry-run`", drill);
        Assert.Contains($"`{alert}`", drill);
        Assert.Contains(rule.Annotations["runbook"].Split('#')[1], drill);
    }

    [Fact]
    public void Escalation_has_three_levels_with_response_times_and_a_contact_table_to_complete()
    {
        var section = Markdown.Section(Repository.PathOf(Runbook), "escalation");

        var levels = EscalationRow().Matches(section).Select(row => (Level: row.Groups[1].Value, Who: row.Groups[2].Value.Trim(), Within: row.Groups[3].Value)).ToList();
        Assert.Equal(["1", "2", "3"], levels.Select(level => level.Level));
        Assert.StartsWith("on-call engineer", levels[0].Who);
        Assert.Equal(("senior engineer", "CTO"), (levels[1].Who, levels[2].Who));
        Assert.All(levels, level => Assert.Matches(@"\d+ (minutes|min|hour|h)", level.Within));

        var contacts = Markdown.Section(Repository.PathOf(Runbook), "contacts");
        Assert.Contains("**To be completed per organisation.**", contacts);
        foreach (var contact in (string[])["cloud provider", "Stripe support", "DNS and TLS provider", "senior engineer", "CTO"])
        {
            Assert.Contains($"| {contact}", contacts);
        }
    }

    [Fact]
    public void The_maintenance_windows_say_when_who_and_what_runs_with_commands()
    {
        var scheduled = Markdown.Section(Repository.PathOf(Runbook), "scheduled");
        foreach (var part in (string[])["**When**", "**Who**", "announces", "**PostgreSQL minor upgrade**", "**Node pool upgrade**", "**Secret rotation**", "`kubectl drain", "`kubectl get pdb"])
        {
            Assert.Contains(part, scheduled);
        }

        var emergency = Markdown.Section(Repository.PathOf(Runbook), "emergency");
        Assert.Contains("`kubectl cordon <node>`", emergency);
        Assert.Contains("`scripts/generate-manifests.sh`", emergency);
    }

    [Fact]
    public async Task The_retention_the_guide_states_is_what_the_monitoring_values_set()
    {
        var prometheus = await File.ReadAllTextAsync(Repository.PathOf("deploy/monitoring/kube-prometheus-stack.values.yaml"));
        var loki = await File.ReadAllTextAsync(Repository.PathOf("deploy/monitoring/loki.values.yaml"));
        var section = Markdown.Section(Repository.PathOf(Guide), "monitoring-retention");

        var metricsDays = int.Parse(Regex.Match(prometheus, @"^    retention: (\d+)d$", RegexOptions.Multiline).Groups[1].Value);
        var logHours = int.Parse(Regex.Match(loki, @"^    retention_period: (\d+)h$", RegexOptions.Multiline).Groups[1].Value);
        Assert.Equal(15, metricsDays);
        Assert.Matches(@"^    retention_enabled: true$", Regex.Match(loki, @"^    retention_enabled: \w+$", RegexOptions.Multiline).Value);
        Assert.Contains($"| metrics (Prometheus) | {metricsDays} days (`retention: {metricsDays}d`", section);
        Assert.Contains($"| logs (Loki) | {logHours / 24} days (`retention_period: {logHours}h`", section);
        // The rules and monitors are found by the label they carry.
        Assert.Contains("prometheus: azora", prometheus);
    }

    [GeneratedRegex(@"^- \[ \] .*(?:\n  .*)*", RegexOptions.Multiline)]
    private static partial Regex CheckItem();

    // A panel ("Dashboard: "…""), an alert (`AzoraX`), a script (deploy/…, scripts/….sh) or a command in backticks.
    [GeneratedRegex(@"Dashboard: ""[^""]+""|`Azora[A-Z]\w+`|\b(?:deploy|scripts)/[\w.-]+\.sh\b|`kubectl [^`]+`")]
    private static partial Regex Names();

    [GeneratedRegex(@"^\| ([123]) \| ([^|]+) \| [^|]+ \| ([^|]+) \|$", RegexOptions.Multiline)]
    private static partial Regex EscalationRow();
}
