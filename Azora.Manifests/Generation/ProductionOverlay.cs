using Azora.Manifests.Model;
using Azora.Manifests.Monitoring;
using k8s.Models;

namespace Azora.Manifests.Generation;

/// <summary>
/// <c>manifests/overlays/production/</c>: namespace azora-production with managed PostgreSQL and Redis reached through
/// Secrets, the API as blue/green Deployments behind one Service, autoscaling, disruption budgets, deny-by-default
/// network policies, TLS ingresses for api.azora.world (the API) and azora.world (the portal), alerts, a dashboard and
/// the nightly database backup.
/// </summary>
public sealed class ProductionOverlay(AspireManifest model, BaseLayer baseLayer)
{
    public const string Host = "api.azora.world";
    public const string BlueGreenService = "api";
    public const string LiveColour = "blue";
    public static readonly string[] Colours = ["blue", "green"];

    /// <summary>
    /// Where the managed PostgreSQL and Redis answer: the cloud network's private ranges by default, so 5432 and 6379
    /// never leave for the internet. Narrow each to its server's subnet (or address/32) and regenerate.
    /// </summary>
    public static readonly string[] ManagedDatabaseNetworks = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

    public static readonly string[] ManagedCacheNetworks = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"];

    private const int MinReplicas = 3;
    private const int MaxReplicas = 10;

    private string Namespace { get; } = Conventions.Namespace(Conventions.Production);

    public static string ColourImage(string colour) => $"{Conventions.ImageName(BlueGreenService)}-{colour}";

    public IEnumerable<GeneratedFile> Files()
    {
        const string directory = "overlays/production";
        var api = model.Get(BlueGreenService);
        var apiSettings = baseLayer.SettingsOf(api);
        var colouredDeployments = Colours.Select(colour => $"{BlueGreenService}-{colour}").ToList();
        var serviceNames = baseLayer.Services.Select(service => service.Name).ToList();
        var scaled = colouredDeployments.Concat(baseLayer.Services.Where(service => service.Name != BlueGreenService).Select(service => service.Name)).ToList();

        var images = baseLayer.Projects.Where(project => project.Name != BlueGreenService).Select(project => Conventions.ImageName(project.Name))
            .Concat(Colours.Select(ColourImage))
            .Order(StringComparer.Ordinal);
        var kustomization = new Kustomization
        {
            Namespace = Namespace,
            Resources =
            [
                "../../base", "namespace.yaml", "api-blue-green.yaml", "autoscaling.yaml", "network-policies.yaml", "ingress.yaml",
                "monitoring.yaml", "backup.yaml", "pgbouncer.yaml",
            ],
            Images = OverlayParts.Images(images, name => name.EndsWith("-blue", StringComparison.Ordinal) || name.EndsWith("-green", StringComparison.Ordinal)
                ? Conventions.ImageName(BlueGreenService)
                : name),
            Patches =
            [
                new Kustomization.Patch("settings.yaml"),
                new Kustomization.Patch("api-live-colour.yaml"),
                new Kustomization.Patch("api-single-deployment-removed.yaml"),
                new Kustomization.Patch("zone-spread.yaml"),
            ],
        };

        yield return new GeneratedFile($"{directory}/namespace.yaml", [OverlayParts.Namespace(Conventions.Production)]);
        yield return new GeneratedFile($"{directory}/api-blue-green.yaml", Colours.SelectMany(colour => (object[])
        [
            Workloads.Deployment(api, apiSettings, $"{BlueGreenService}-{colour}", ColourImage(colour), new Dictionary<string, string> { ["version"] = colour }, acrossZones: true),
            Workloads.Service(api, $"{BlueGreenService}-{colour}", new Dictionary<string, string> { ["version"] = colour }),
        ]).ToList());
        yield return new GeneratedFile($"{directory}/api-live-colour.yaml", [LiveColourPatch(LiveColour)]);
        yield return new GeneratedFile($"{directory}/api-single-deployment-removed.yaml", [DeletePatch("apps/v1", "Deployment", BlueGreenService)]);
        yield return new GeneratedFile($"{directory}/autoscaling.yaml", scaled.SelectMany(name => (object[]) [Autoscaler(name), DisruptionBudget(name)]).ToList());
        yield return new GeneratedFile($"{directory}/network-policies.yaml", Policies().ToList<object>());
        yield return new GeneratedFile($"{directory}/ingress.yaml", [OverlayParts.Ingress(Host, "letsencrypt"), .. Portal.Ingresses(Portal.ProductionHost, "letsencrypt")]);
        yield return new GeneratedFile($"{directory}/monitoring.yaml",
        [
            .. ScrapeTargets.PodMonitors(), AlertRules.For(Namespace, serviceNames, scaled), GrafanaDashboard.For(Namespace, serviceNames, scaled),
        ]);
        yield return new GeneratedFile($"{directory}/backup.yaml", DatabaseBackup.Objects(model).ToList());
        yield return new GeneratedFile($"{directory}/pgbouncer.yaml", PgBouncer.Objects(PgBouncer.Production, databaseHost: null, acrossZones: true).ToList());
        // The base's other services (the API's colours are made here already spread) gain the zone constraint.
        yield return new GeneratedFile($"{directory}/zone-spread.yaml", baseLayer.Services.Where(service => service.Name != BlueGreenService)
            .Select(service => (object)ZoneSpreadPatch(service.Name)).ToList());

        var extra = new Dictionary<string, IDictionary<string, string>>
        {
            ["api"] = new Dictionary<string, string> { ["Azora__Api__TrustedProxies__0"] = NetworkPolicies.TrustedProxyNetwork },
            [Portal.Name] = new Dictionary<string, string> { ["Azora__Web__Stripe__PublishableKey"] = Portal.ProductionPublishableKey },
        };
        yield return new GeneratedFile($"{directory}/settings.yaml", OverlayParts.SettingsPatches(baseLayer, "Production", MailSettings.Production.ParameterValues(), extra).ToList<object>());
        yield return new GeneratedFile($"{directory}/kustomization.yaml", [kustomization]);
    }

    /// <summary>The Service <c>api</c> sends traffic to one colour; <c>deploy/switch.sh</c> changes it in the cluster.</summary>
    public static V1Service LiveColourPatch(string colour) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = new V1ObjectMeta { Name = BlueGreenService },
        Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["version"] = colour } },
    };

    private static V1Deployment ZoneSpreadPatch(string deployment) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = new V1ObjectMeta { Name = deployment },
        Spec = new V1DeploymentSpec
        {
            Template = new V1PodTemplateSpec
            {
                Spec = new V1PodSpec { TopologySpreadConstraints = Workloads.Spread(Conventions.SelectorLabels(deployment), acrossZones: true) },
            },
        },
    };

    private static Dictionary<string, object> DeletePatch(string apiVersion, string kind, string name) => new()
    {
        ["$patch"] = "delete",
        ["apiVersion"] = apiVersion,
        ["kind"] = kind,
        ["metadata"] = new Dictionary<string, object> { ["name"] = name },
    };

    private static V2HorizontalPodAutoscaler Autoscaler(string deployment) => new()
    {
        ApiVersion = "autoscaling/v2",
        Kind = "HorizontalPodAutoscaler",
        Metadata = new V1ObjectMeta { Name = deployment, Labels = new Dictionary<string, string> { ["app.kubernetes.io/part-of"] = Conventions.PartOf } },
        Spec = new V2HorizontalPodAutoscalerSpec
        {
            ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = deployment },
            MinReplicas = MinReplicas,
            MaxReplicas = MaxReplicas,
            Metrics =
            [
                new V2MetricSpec
                {
                    Type = "Resource",
                    Resource = new V2ResourceMetricSource
                    {
                        Name = "cpu",
                        Target = new V2MetricTarget { Type = "Utilization", AverageUtilization = 70 },
                    },
                },
            ],
            Behavior = new V2HorizontalPodAutoscalerBehavior
            {
                ScaleUp = new V2HPAScalingRules
                {
                    StabilizationWindowSeconds = 0,
                    Policies = [new V2HPAScalingPolicy { Type = "Pods", Value = 2, PeriodSeconds = 60 }],
                },
                // Slow scale-down: wait 5 minutes of lower load, then drop one pod a minute.
                ScaleDown = new V2HPAScalingRules
                {
                    StabilizationWindowSeconds = 300,
                    Policies = [new V2HPAScalingPolicy { Type = "Pods", Value = 1, PeriodSeconds = 60 }],
                },
            },
        },
    };

    private V1PodDisruptionBudget DisruptionBudget(string deployment)
    {
        var colour = Colours.FirstOrDefault(colour => deployment == $"{BlueGreenService}-{colour}");
        var selector = colour is null
            ? Conventions.SelectorLabels(deployment)
            : Conventions.SelectorLabels(BlueGreenService, new Dictionary<string, string> { ["version"] = colour });

        return new V1PodDisruptionBudget
        {
            ApiVersion = "policy/v1",
            Kind = "PodDisruptionBudget",
            Metadata = new V1ObjectMeta { Name = deployment, Labels = new Dictionary<string, string> { ["app.kubernetes.io/part-of"] = Conventions.PartOf } },
            Spec = new V1PodDisruptionBudgetSpec
            {
                MinAvailable = MinReplicas - 1,
                Selector = new V1LabelSelector { MatchLabels = selector },
            },
        };
    }

    private IEnumerable<V1NetworkPolicy> Policies() => NetworkPolicies.For(
        baseLayer.Services.Select(service => service.Name).ToList(),
        baseLayer.ClientsOf(model.Get("azora").Name).Append(DatabaseBackup.Name).ToList(),
        baseLayer.ClientsOf(model.Get("cache").Name),
        baseLayer.HttpsClients,
        NetworkPolicies.Destination.External(ManagedDatabaseNetworks),
        NetworkPolicies.Destination.External(ManagedCacheNetworks),
        [MailSettings.Production.SmtpEgress(), .. Portal.Policies()],
        baseLayer.PooledDatabaseClients(model.Get("azora").Name));
}
