using System.Text.RegularExpressions;
using Azora.Manifests.Generation;
using k8s.Models;

namespace Azora.Tests.Deployment;

/// <summary>
/// The committed overlays as a cluster would receive them, checked offline: kustomize builds them, every object loads
/// strictly, passes the policy, and validates against the Kubernetes OpenAPI schema; alert and dashboard queries parse.
/// </summary>
public sealed partial class ManifestValidationTests : IDisposable
{
    private readonly ScratchFolder _scratch = new();

    public void Dispose() => _scratch.Dispose();

    public static TheoryData<string> Overlays => new(BuiltOverlay.Names);

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Each_overlay_builds_and_every_document_loads_strictly(string name)
    {
        var overlay = await BuiltOverlay.GetAsync(name);

        var documents = overlay.Yaml.Split("\n---\n").Length;
        Assert.Equal(documents, overlay.Objects.Count);
        Assert.Contains(overlay.Objects, item => item is V1Deployment);
    }

    [Fact]
    public async Task Strict_loading_refuses_a_field_kubernetes_does_not_know()
    {
        var overlay = await BuiltOverlay.GetAsync("production");

        var misspelt = overlay.Yaml.Replace("  revisionHistoryLimit: 5", "  revisionHistoryLimt: 5");

        Assert.NotEqual(overlay.Yaml, misspelt);
        Assert.ThrowsAny<Exception>(() => BuiltOverlay.Load(misspelt));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Each_overlay_passes_the_policy(string name)
    {
        var overlay = await BuiltOverlay.GetAsync(name);

        Assert.Empty(name == "production" ? ManifestPolicy.CheckProduction(overlay.Objects) : ManifestPolicy.Check(overlay.Objects));
    }

    [Fact]
    public async Task The_policy_catches_a_workload_outside_every_network_policy()
    {
        var staging = BuiltOverlay.Load((await BuiltOverlay.GetAsync("staging")).Yaml);
        var withoutPolicies = staging.Where(item => item is not V1NetworkPolicy).ToList();

        var findings = ManifestPolicy.Check(withoutPolicies);

        Assert.Contains("no NetworkPolicy denies all ingress and egress by default", findings);
        foreach (var workload in (string[])["Deployment/api", "Deployment/payments", "Deployment/web", "Job/migrations", "StatefulSet/postgres", "StatefulSet/cache"])
        {
            Assert.Contains($"{workload} is selected by no NetworkPolicy", findings);
        }
    }

    [Fact]
    public async Task The_policy_catches_egress_without_destinations_ingress_from_anyone_and_the_emulator_in_production()
    {
        var overlay = BuiltOverlay.Load((await BuiltOverlay.GetAsync("production")).Yaml);
        var built = new BuiltOverlay("mutated", "", overlay);
        built.Single<V1NetworkPolicy>("database-egress").Spec.Egress.Single().To = null;
        built.Single<V1NetworkPolicy>("https-egress").Spec.Egress.Single().To.Single().IpBlock.Except = ["10.0.0.0/8"];
        built.Single<V1NetworkPolicy>("api-ingress").Spec.Ingress.Single().FromProperty[0].PodSelector = null;
        built.Single<V1Deployment>("payments").Spec.Template.Spec.Containers[0].Image = "ghcr.io/azora-world/azora-stripe-emulator:0.0.0-set-by-deploy";
        built.Single<V1ConfigMap>("api-settings").Data["Azora__Stripe__ApiBase"] = "http://stripe-emulator";

        var findings = ManifestPolicy.CheckProduction(overlay);

        Assert.Contains("NetworkPolicy/database-egress has an egress rule without destinations", findings);
        Assert.Contains("NetworkPolicy/https-egress lets egress to 0.0.0.0/0 reach private addresses (172.16.0.0/12, 192.168.0.0/16, 169.254.0.0/16)", findings);
        Assert.Contains("NetworkPolicy/api-ingress admits every pod of a namespace or any source", findings);
        Assert.Contains("Deployment/payments runs the Stripe emulator", findings);
        Assert.Contains("ConfigMap/api-settings sends Stripe calls to http://stripe-emulator instead of Stripe", findings);
        Assert.Equal(5, findings.Count);
    }

    [Fact]
    public async Task The_policy_catches_each_mistake_it_exists_for()
    {
        var overlay = BuiltOverlay.Load((await BuiltOverlay.GetAsync("production")).Yaml);
        var built = new BuiltOverlay("mutated", "", overlay);
        var api = built.Single<V1Deployment>("api-blue").Spec.Template.Spec.Containers[0];
        api.Resources.Limits.Remove("memory");
        api.ReadinessProbe = null;
        built.Single<V1Deployment>("payments").Spec.Template.Spec.Containers[0].Image = "ghcr.io/azora-world/azora-payments:latest";
        var green = built.Single<V1Deployment>("api-green").Spec.Template.Spec;
        green.SecurityContext.RunAsNonRoot = null;
        green.Containers[0].SecurityContext.RunAsNonRoot = null;
        built.Single<V1Service>("api-green").Spec.Selector["version"] = "purple";
        built.Single<V1NetworkPolicy>("api-ingress").Spec.PodSelector.MatchLabels["app.kubernetes.io/name"] = "apj";
        built.Single<V2HorizontalPodAutoscaler>("payments").Spec.ScaleTargetRef.Name = "payment";
        built.Single<V1PodDisruptionBudget>("api-green").Spec.Selector.MatchLabels["version"] = "purple";
        var backup = built.Single<V1CronJob>("postgres-backup").Spec.JobTemplate.Spec.Template.Spec;
        backup.AutomountServiceAccountToken = null;
        backup.SecurityContext.SeccompProfile = null;
        backup.Containers[0].SecurityContext.Capabilities.Add = ["NET_RAW"];
        built.Single<V1Job>("migrations").Spec.Template.Spec.Containers[0].ImagePullPolicy = "IfNotPresent";
        var withSecret = overlay.Append(new V1Secret
        {
            ApiVersion = "v1",
            Kind = "Secret",
            Metadata = new V1ObjectMeta { Name = "azora-stripe", NamespaceProperty = "azora-production" },
            StringData = new Dictionary<string, string> { ["secret-key"] = "sk_live_committed" },
        }).ToList();

        var findings = ManifestPolicy.Check(withSecret);

        Assert.Contains("Deployment/api-blue container api has no memory limit", findings);
        Assert.Contains("Deployment/api-blue container api lacks a liveness or readiness probe", findings);
        Assert.Contains("Deployment/payments container payments uses image 'ghcr.io/azora-world/azora-payments:latest' without a pinned tag", findings);
        Assert.Contains("Deployment/api-green container api may run as root", findings);
        Assert.Contains("Service/api-green selects no pod", findings);
        Assert.Contains("NetworkPolicy/api-ingress selects no pod", findings);
        Assert.Contains("HorizontalPodAutoscaler/payments scales nothing that exists", findings);
        Assert.Contains("PodDisruptionBudget/api-green selects no pod", findings);
        Assert.Contains("Secret/azora-stripe carries data; secrets are created in the cluster, never committed", findings);
        Assert.Contains("CronJob/postgres-backup mounts a service account token it never uses", findings);
        Assert.Contains("CronJob/postgres-backup container pg-dump runs without a seccomp profile", findings);
        Assert.Contains("CronJob/postgres-backup container pg-dump keeps Linux capabilities (drop ALL, add none)", findings);
        Assert.Contains("Job/migrations container migrations may start from a cached image without the registry's say (imagePullPolicy IfNotPresent)", findings);
        Assert.Equal(13, findings.Count);
    }

    [Fact]
    public async Task Every_object_validates_against_its_schema_and_every_query_parses()
    {
        var files = new List<string>();
        foreach (var name in BuiltOverlay.Names)
        {
            files.Add(await _scratch.WriteAsync($"{name}.yaml", (await BuiltOverlay.GetAsync(name)).Yaml));
        }

        // The runbook's LogQL too: each alert's playbook has the log query to run.
        var (exitCode, output, error) = await ValidateAsync([.. files, Repository.PathOf("docs/operations/OPERATIONS-RUNBOOK.md")]);

        Assert.True(exitCode == 0, output + error);
        Assert.Matches(@"validated [1-9]\d* objects, [1-9]\d* PromQL and [1-9]\d* LogQL expressions: 0 findings", output);
    }

    [Fact]
    public async Task Schema_validation_reports_a_wrong_type_and_a_broken_query()
    {
        var yaml = (await BuiltOverlay.GetAsync("production")).Yaml
            .Replace("  maxReplicas: 10\n", "  maxReplicas: ten\n")
            .Replace("> 0.05", "> > 0.05")
            .Replace("} |= \\u0022$traceId", "} |= |= \\u0022$traceId");
        var runbook = await _scratch.WriteAsync("runbook.md", "```logql\n{namespace=\"azora-production\"} | json | | LogLevel=\"Error\"\n```\n");

        var (exitCode, output, error) = await ValidateAsync([await _scratch.WriteAsync("production.yaml", yaml), runbook]);

        Assert.Equal(1, exitCode);
        Assert.Contains("HorizontalPodAutoscaler/payments: data/spec/maxReplicas must be integer", error);
        Assert.Contains("PromQL of AzoraHighErrorRate", error);
        Assert.Contains("LogQL of azora-overview.json \"Trace logs\"", error);
        Assert.Contains("runbook.md: LogQL", error);
        Assert.Contains("findings", output);
    }

    [Theory]
    [InlineData("Api", "azora-api")]
    [InlineData("Payments", "azora-payments")]
    [InlineData("Migrations", "azora-migrations")]
    [InlineData("Web", "azora-web")]
    [InlineData("StripeEmulator", "azora-stripe-emulator")]
    public async Task Each_service_image_is_built_by_the_sdk_under_the_name_the_manifests_use(string project, string image)
    {
        var overlay = await BuiltOverlay.GetAsync("staging");
        Assert.Contains(overlay.PodTemplates(), pod => pod.Template.Spec.Containers.Any(container => container.Image.StartsWith($"ghcr.io/azora-world/{image}:", StringComparison.Ordinal)));

        var (exitCode, output, error) = await Repository.RunAsync(
            "dotnet", ["msbuild", $"Azora.{project}/Azora.{project}.csproj", "-getProperty:ContainerRepository", "-getProperty:EnableSdkContainerSupport"]);

        Assert.True(exitCode == 0, error);
        using var properties = System.Text.Json.JsonDocument.Parse(output);
        Assert.Equal(image, properties.RootElement.GetProperty("Properties").GetProperty("ContainerRepository").GetString());
        Assert.Equal("true", properties.RootElement.GetProperty("Properties").GetProperty("EnableSdkContainerSupport").GetString());
    }

    [Fact]
    public async Task The_secrets_the_manifests_reference_are_exactly_the_documented_ones()
    {
        var referenced = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var name in BuiltOverlay.Names)
        {
            referenced.UnionWith((await BuiltOverlay.GetAsync(name)).SecretReferences().Select(reference => $"{reference.Name}/{reference.Key}"));
        }

        var documented = new SortedSet<string>(
            SecretRow().Matches(Markdown.Section(Repository.PathOf("docs/deployment/INFRASTRUCTURE-GUIDE.md"), "secrets")).Select(row => $"{row.Groups[1].Value}/{row.Groups[2].Value}"),
            StringComparer.Ordinal);

        Assert.Equal(documented, referenced);
    }

    [Fact]
    public async Task The_alerts_in_production_are_exactly_the_documented_ones_with_their_thresholds()
    {
        var rule = (await BuiltOverlay.GetAsync("production")).Single<Azora.Manifests.Monitoring.PrometheusRule>("azora-alerts");
        var alerts = rule.Spec.Groups.SelectMany(group => group.Rules).ToList();

        var documented = AlertRow().Matches(Markdown.Section(Repository.PathOf("docs/deployment/INFRASTRUCTURE-GUIDE.md"), "alerts"))
            .Select(row => row.Groups[1].Value).ToHashSet();

        Assert.Equal(documented.Order(), alerts.Select(alert => alert.Alert).Distinct().Order());
        Assert.All(alerts.Where(alert => alert.Alert == "AzoraServiceDown"), alert => Assert.Equal("1m", alert.For));
        Assert.EndsWith("> 0.05", alerts.Single(alert => alert.Alert == "AzoraHighErrorRate").Expr);
        Assert.EndsWith("> 0.2", alerts.Single(alert => alert.Alert == "AzoraHighLatency").Expr);
        Assert.EndsWith("> 0.7", alerts.Single(alert => alert.Alert == "AzoraHighCpu").Expr);
        Assert.EndsWith("> 0.8", alerts.Single(alert => alert.Alert == "AzoraHighMemory").Expr);
        Assert.EndsWith("< 0.8", alerts.Single(alert => alert.Alert == "AzoraLowCacheHitRatio").Expr);

        // The portal has its own error and latency alerts; the API's leave it out, so one failure is not paged twice
        // under two thresholds.
        Assert.All(["AzoraHighErrorRate", "AzoraHighLatency"], name => Assert.Contains("app_kubernetes_io_name!=\"web\"", alerts.Single(alert => alert.Alert == name).Expr));
        var webErrors = alerts.Single(alert => alert.Alert == "AzoraWebHighErrorRate");
        Assert.Equal(("5m", "critical"), (webErrors.For, webErrors.Labels["severity"]));
        Assert.EndsWith("> 0.05", webErrors.Expr);
        Assert.Contains("app_kubernetes_io_name=\"web\",http_response_status_code=~\"5..\"", webErrors.Expr);
        var webLatency = alerts.Single(alert => alert.Alert == "AzoraWebHighLatency");
        Assert.Equal(("10m", "high"), (webLatency.For, webLatency.Labels["severity"]));
        Assert.Equal("histogram_quantile(0.95, sum by (le) (rate(http_server_request_duration_seconds_bucket{namespace=\"azora-production\",app_kubernetes_io_name=\"web\"}[5m]))) > 0.5", webLatency.Expr);
        Assert.Contains(alerts, alert => alert.Alert == "AzoraServiceDown" && alert.Labels["service"] == "web");

        var backingUp = alerts.Single(alert => alert.Alert == "AzoraMailBackingUp");
        Assert.Equal(("max(azora_mail_oldest_pending_age_seconds{namespace=\"azora-production\"}) > 900", "5m", "high"),
            (backingUp.Expr, backingUp.For, backingUp.Labels["severity"]));
        var failing = alerts.Single(alert => alert.Alert == "AzoraMailFailing");
        Assert.StartsWith("sum(rate(azora_mail_send_attempts_total{namespace=\"azora-production\",outcome=\"failed\"}[15m])) > 0 or (", failing.Expr);
        Assert.Contains("outcome=\"retry\"}[15m])) > 0 unless sum(rate(azora_mail_send_attempts_total{namespace=\"azora-production\",outcome=\"sent\"}[15m])) > 0", failing.Expr);

        // Fire from kube-state-metrics when every pod of a Deployment is unready, and when its figures stop arriving.
        var noReplicas = alerts.Single(alert => alert.Alert == "AzoraNoAvailableReplicas");
        Assert.Equal("sum by (deployment) (kube_deployment_status_replicas_available{namespace=\"azora-production\",deployment=~\"api-blue|api-green|payments|web\"}) == 0", noReplicas.Expr);
        Assert.Equal(("1m", "critical"), (noReplicas.For, noReplicas.Labels["severity"]));
        Assert.StartsWith("absent(kube_deployment_status_replicas_available{", alerts.Single(alert => alert.Alert == "AzoraReplicaMetricsAbsent").Expr);
    }

    [GeneratedRegex(@"^\| `(azora-[a-z-]+)` \| `([a-z.-]+)` \|", RegexOptions.Multiline)]
    private static partial Regex SecretRow();

    [GeneratedRegex(@"^\| `(Azora[A-Za-z]+)` \|", RegexOptions.Multiline)]
    private static partial Regex AlertRow();

    private static async Task<(int ExitCode, string Output, string Error)> ValidateAsync(IEnumerable<string> files)
    {
        var tool = Repository.PathOf("tools/manifest-validation");
        Assert.True(Directory.Exists(Path.Combine(tool, "node_modules")), "Run scripts/test.sh: it installs tools/manifest-validation (npm ci).");
        return await Repository.RunAsync("node", ["validate.mjs", .. files], workingDirectory: tool);
    }


    [Fact]
    public async Task The_committed_manifests_are_what_the_generator_makes_of_the_current_model()
    {
        var output = _scratch.PathOf("model");
        var (exitCode, stdout, error) = await Repository.RunAsync(
            Path.Combine(AppContext.BaseDirectory, "Azora.AppHost"),
            ["--publisher", "manifest", "--output-path", Path.Combine(output, "aspire-manifest.json")],
            workingDirectory: AppContext.BaseDirectory);
        Assert.True(exitCode == 0, stdout + error);

        var generated = ManifestGenerator.Generate(Azora.Manifests.Model.AspireManifest.Parse(
            await File.ReadAllTextAsync(Path.Combine(output, "aspire-manifest.json"))));

        var committedRoot = Repository.PathOf("manifests");
        var committed = Directory.GetFiles(committedRoot, "*", SearchOption.AllDirectories)
            .Select(path => Path.GetRelativePath(committedRoot, path))
            .Order(StringComparer.Ordinal)
            .ToList();
        const string hint = "manifests/ is out of date with the Aspire model: run scripts/generate-manifests.sh and commit the result.";
        Assert.True(generated.Select(file => file.Path).Order(StringComparer.Ordinal).SequenceEqual(committed), hint);
        foreach (var file in generated)
        {
            Assert.True(file.Render() == await File.ReadAllTextAsync(Path.Combine(committedRoot, file.Path)), $"{file.Path}: {hint}");
        }
    }
}
