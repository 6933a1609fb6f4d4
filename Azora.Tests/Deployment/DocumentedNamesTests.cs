using System.Text.Json;
using System.Text.RegularExpressions;
using Azora.Manifests.Monitoring;
using k8s;
using k8s.Models;

namespace Azora.Tests.Deployment;

/// <summary>
/// Every script, alert, dashboard panel, Kubernetes object and namespace that the guides and runbooks name exists in the
/// repository or in the built overlays, so an operator following them at 3 a.m. never meets a name that is not there.
/// </summary>
public sealed partial class DocumentedNamesTests
{
    private const string Readme = "README.md", InfrastructureGuide = "docs/deployment/INFRASTRUCTURE-GUIDE.md",
        DeploymentRunbook = "docs/deployment/DEPLOYMENT-RUNBOOK.md", StripeGuide = "docs/deployment/STRIPE.md",
        OperationsRunbook = "docs/operations/OPERATIONS-RUNBOOK.md", ApiReference = "docs/api/API-REFERENCE.md";

    private static readonly string[] Documents = [Readme, InfrastructureGuide, DeploymentRunbook, StripeGuide, OperationsRunbook, ApiReference];

    public static TheoryData<string> DocumentNames => new(Documents);

    /// <summary>
    /// Fails when a pattern finds nothing in a document known to name such things: a pattern that stopped matching the
    /// way the document writes them would otherwise check nothing and pass.
    /// </summary>
    private static void AssertFound<T>(IReadOnlyCollection<T> found, string document, string what, params string[] documentsThatName)
    {
        if (documentsThatName.Contains(document))
        {
            Assert.True(found.Count > 0, $"no {what} found in {document}, which names some: the pattern no longer matches how it writes them");
        }
    }

    // A document's text with line breaks folded, so a name wrapped across lines is still found.
    private static string Read(string document) => Regex.Replace(File.ReadAllText(Repository.PathOf(document)), @"\n(?!\n)", " ");

    private static async Task<List<object>> AllObjectsAsync()
    {
        var objects = new List<object>();
        foreach (var name in BuiltOverlay.Names)
        {
            objects.AddRange((await BuiltOverlay.GetAsync(name)).Objects);
        }

        return objects;
    }

    [Theory]
    [MemberData(nameof(DocumentNames))]
    public void Every_script_named_exists_and_is_executable(string document)
    {
        var scripts = ScriptName().Matches(Read(document));
        AssertFound(scripts, document, "script", Readme, InfrastructureGuide, DeploymentRunbook, OperationsRunbook);
        foreach (Match script in scripts)
        {
            var path = Repository.PathOf(script.Value);
            Assert.True(File.Exists(path), $"{document} names {script.Value}, which does not exist");
            Assert.True(File.GetUnixFileMode(path).HasFlag(UnixFileMode.UserExecute), $"{script.Value} is not executable");
        }
    }

    [Theory]
    [MemberData(nameof(DocumentNames))]
    public async Task Every_alert_named_is_a_production_alert(string document)
    {
        var alerts = (await BuiltOverlay.GetAsync("production")).Single<PrometheusRule>("azora-alerts").Spec.Groups
            .SelectMany(group => group.Rules).Select(rule => rule.Alert).ToHashSet();

        var named = AlertName().Matches(Read(document));
        AssertFound(named, document, "alert", InfrastructureGuide, OperationsRunbook);
        foreach (Match alert in named)
        {
            Assert.True(alerts.Contains(alert.Groups[1].Value), $"{document} names the alert {alert.Groups[1].Value}, which production does not have");
        }
    }

    [Theory]
    [MemberData(nameof(DocumentNames))]
    public async Task Every_object_and_namespace_named_exists_in_the_built_overlays(string document)
    {
        var objects = await AllObjectsAsync();
        var text = Read(document);
        var named = KindSlashName().Matches(text).Concat(VerbKindName().Matches(text)).Concat(KindAndName().Matches(text))
            .Select(match => (Kind: match.Groups[1].Value, Name: match.Groups[2].Value))
            .Where(reference => !reference.Name.EndsWith('-'))
            .Distinct()
            .ToList();
        AssertFound(named, document, "Kubernetes object", InfrastructureGuide, DeploymentRunbook, OperationsRunbook);

        foreach (var (kind, name) in named)
        {
            Assert.True(Exists(objects, kind, name), $"{document} names {kind} {name}, which neither overlay has");
        }

        var namespaces = objects.OfType<V1Namespace>().Select(item => item.Metadata.Name)
            .Concat(objects.OfType<V1NetworkPolicy>()
                .SelectMany(policy => (policy.Spec.Ingress ?? []).SelectMany(rule => rule.FromProperty ?? []).Concat((policy.Spec.Egress ?? []).SelectMany(rule => rule.To ?? [])))
                .Select(peer => peer.NamespaceSelector?.MatchLabels is { } labels && labels.TryGetValue("kubernetes.io/metadata.name", out var name) ? name : null)
                .OfType<string>())
            .ToHashSet();
        var namespacesNamed = NamespaceReference().Matches(text);
        AssertFound(namespacesNamed, document, "namespace", InfrastructureGuide, DeploymentRunbook, OperationsRunbook);
        foreach (Match ns in namespacesNamed)
        {
            var name = ns.Groups[1].Success ? ns.Groups[1].Value : ns.Groups[2].Value;
            Assert.True(namespaces.Contains(name), $"{document} names the namespace {name}, which the manifests neither create nor allow traffic from");
        }
    }

    [Fact]
    public async Task Every_alert_points_at_a_playbook_that_names_it_and_every_dashboard_panel_named_exists()
    {
        var runbook = Repository.PathOf("docs/operations/OPERATIONS-RUNBOOK.md");
        var anchors = Markdown.Headings(File.ReadAllText(runbook)).Where(heading => heading.Level is 2 or 3).Select(heading => heading.Anchor).ToHashSet();
        var production = await BuiltOverlay.GetAsync("production");

        var alerts = production.Single<PrometheusRule>("azora-alerts").Spec.Groups.SelectMany(group => group.Rules).ToList();
        Assert.NotEmpty(alerts);
        foreach (var alert in alerts)
        {
            var anchor = alert.Annotations["runbook"].Split('#')[1];
            Assert.True(anchors.Contains(anchor), $"{alert.Alert} points at #{anchor}, which the runbook does not have");
            var playbook = Markdown.Section(runbook, anchor);
            Assert.Contains($"`{alert.Alert}`", playbook);
        }

        using var dashboard = JsonDocument.Parse(production.Single<V1ConfigMap>("azora-grafana-dashboard").Data["azora-overview.json"]);
        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray().Select(panel => panel.GetProperty("title").GetString()).ToHashSet();
        var named = DashboardMention().Matches(Read(OperationsRunbook))
            .SelectMany(mention => Regex.Matches(mention.Groups[1].Value, "\"([^\"]+)\"").Select(title => title.Groups[1].Value))
            .ToList();
        Assert.NotEmpty(named);
        Assert.All(named, title => Assert.True(panels.Contains(title), $"the runbook names the panel \"{title}\", which the dashboard does not have"));
    }

    [Theory]
    [MemberData(nameof(DocumentNames))]
    public async Task Every_dashboard_panel_named_exists_in_both_environments(string document)
    {
        var text = Read(document);
        var named = DashboardMention().Matches(text).Concat(PanelMention().Matches(text))
            .SelectMany(mention => Regex.Matches(mention.Groups[1].Value, "\"([^\"]+)\"").Select(title => title.Groups[1].Value))
            .ToList();
        AssertFound(named, document, "dashboard panel", InfrastructureGuide, OperationsRunbook);

        foreach (var environment in BuiltOverlay.Names)
        {
            var overlay = await BuiltOverlay.GetAsync(environment);
            using var dashboard = JsonDocument.Parse(overlay.Single<V1ConfigMap>("azora-grafana-dashboard").Data["azora-overview.json"]);
            var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray().Select(panel => panel.GetProperty("title").GetString()).ToHashSet();
            Assert.All(named, title => Assert.True(panels.Contains(title), $"{document} names the panel \"{title}\", which {environment}'s dashboard does not have"));
        }
    }

    [Theory]
    [MemberData(nameof(DocumentNames))]
    public void Every_relative_link_reaches_a_file_and_heading_that_exist(string document)
    {
        var directory = Path.GetDirectoryName(Repository.PathOf(document))!;
        var links = RelativeLink().Matches(File.ReadAllText(Repository.PathOf(document)));
        AssertFound(links, document, "relative link", Readme, InfrastructureGuide, DeploymentRunbook, StripeGuide, OperationsRunbook);
        foreach (Match link in links)
        {
            var target = link.Groups["path"].Value.Length == 0 ? Repository.PathOf(document) : Path.GetFullPath(Path.Combine(directory, link.Groups["path"].Value));
            Assert.True(File.Exists(target) || Directory.Exists(target), $"{document} links to {link.Value}, which does not exist");
            if (link.Groups["anchor"].Success)
            {
                var anchors = Markdown.Headings(File.ReadAllText(target)).Select(heading => heading.Anchor);
                Assert.True(anchors.Contains(link.Groups["anchor"].Value), $"{document} links to {link.Value}, which has no such heading");
            }
        }
    }

    [GeneratedRegex(@"\]\((?!https?:)(?<path>[^)#\s]*)(?:#(?<anchor>[^)\s]+))?\)")]
    private static partial Regex RelativeLink();

    private static bool Exists(IEnumerable<object> objects, string kind, string name)
    {
        var normalized = kind.ToLowerInvariant() switch
        {
            "hpa" => "HorizontalPodAutoscaler",
            "deployment" or "deployments" => "Deployment",
            "job" => "Job",
            "cronjob" => "CronJob",
            "service" or "services" => "Service",
            "statefulset" or "statefulsets" => "StatefulSet",
            "configmap" or "configmaps" => "ConfigMap",
            "secret" or "secrets" => "Secret",
            "persistentvolumeclaim" => "PersistentVolumeClaim",
            "prometheusrule" => "PrometheusRule",
            "podmonitor" => "PodMonitor",
            "ingress" => "Ingress",
            "networkpolicy" => "NetworkPolicy",
            var other => throw new Xunit.Sdk.XunitException($"unknown kind {other}"),
        };
        if (normalized == "Secret")
        {
            // Secrets are never in the manifests; a named Secret must be one they reference (cert-manager fills the TLS ones).
            var overlay = new BuiltOverlay("documented", "", objects.ToList());
            return overlay.SecretReferences().Any(reference => reference.Name == name)
                || overlay.All<V1Ingress>().Any(ingress => ingress.Spec.Tls.Any(tls => tls.SecretName == name));
        }

        return objects.OfType<IKubernetesObject<V1ObjectMeta>>().Any(item => item.Kind == normalized && item.Metadata.Name == name);
    }

    [GeneratedRegex(@"\b(?:deploy|scripts|benchmarks)/[\w.-]+\.sh\b")]
    private static partial Regex ScriptName();

    [GeneratedRegex(@"`(Azora[A-Z][A-Za-z]+)`")]
    private static partial Regex AlertName();

    // kubectl's kind/name form, e.g. deployment/api-blue (a name followed by "<" is a template such as manual-backup-<time>).
    [GeneratedRegex(@"\b(deployment|job|cronjob|service|statefulset|configmap)/([a-z0-9-]+)(?![-<\w])")]
    private static partial Regex KindSlashName();

    // "kubectl <verb> <kind> <name>", e.g. kubectl patch hpa api-blue.
    [GeneratedRegex(@"kubectl (?:get|patch|edit|describe) (service|hpa|configmap|secret|deployment|job|cronjob) ([a-z][a-z0-9-]*)(?![-<\w])")]
    private static partial Regex VerbKindName();

    // Prose like "the Secret `azora-jwt`" or "CronJob `postgres-backup`".
    [GeneratedRegex(@"\b(Deployments?|Services?|Secrets?|ConfigMaps?|CronJob|Job|StatefulSets?|PersistentVolumeClaim|PrometheusRule|PodMonitor|Ingress|NetworkPolicy) `([a-z0-9-]+)`")]
    private static partial Regex KindAndName();

    [GeneratedRegex(@"--namespace ([a-z0-9-]+)|namespace `([a-z0-9-]+)`")]
    private static partial Regex NamespaceReference();

    [GeneratedRegex(@"Dashboard: ((?:""[^""]+""(?:, (?:then )?)?)+)")]
    private static partial Regex DashboardMention();

    // Prose like: the panels "CPU requested vs used" and "Memory requested vs used".
    [GeneratedRegex(@"\bpanels? ((?:""[^""]+""(?:,? (?:and )?)?)+)")]
    private static partial Regex PanelMention();
}
