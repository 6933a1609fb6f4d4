using Azora.Manifests.Model;
using Azora.Manifests.Monitoring;
using k8s.Models;

namespace Azora.Manifests.Generation;

/// <summary>
/// <c>manifests/overlays/staging/</c>: namespace azora-staging, two replicas of each service, the model's containers
/// (PostgreSQL, Redis) as StatefulSets with volumes inside the cluster, production's deny-by-default network policies
/// (with PostgreSQL and Redis reached as pods), the Stripe emulator in place of Stripe, and the ingresses for
/// api-staging.azora.world (the API) and staging.azora.world (the portal).
/// </summary>
public sealed class StagingOverlay(AspireManifest model, BaseLayer baseLayer)
{
    public const string Host = "api-staging.azora.world";

    private const string EnvironmentName = "Staging";
    private const string PaymentsService = "payments";

    private sealed record BackingService(long UserId, string CpuRequest, string MemoryRequest, string CpuLimit, string MemoryLimit, string Storage, string DataPath, string[] ScratchPaths);

    // The official images run as uid 999 and can start without root when their data directory is writable.
    private static readonly Dictionary<string, BackingService> BackingServices = new(StringComparer.Ordinal)
    {
        ["postgres"] = new(999, "250m", "512Mi", "1", "1Gi", "10Gi", "/var/lib/postgresql", ["/tmp", "/var/run/postgresql"]),
        ["cache"] = new(999, "100m", "128Mi", "500m", "256Mi", "1Gi", "/data", ["/tmp"]),
    };

    public IEnumerable<GeneratedFile> Files()
    {
        const string directory = "overlays/staging";
        var kustomization = new Kustomization
        {
            Namespace = Conventions.Namespace(Conventions.Staging),
            Resources = ["../../base", "namespace.yaml"],
            Replicas = baseLayer.Services.Select(service => new Kustomization.ReplicaCount(service.Name, 2)).ToList(),
            Images = OverlayParts.Images(
                baseLayer.Projects.Select(project => Conventions.ImageName(project.Name)).Append(Conventions.ImageName(StripeEmulator.Name)),
                name => name),
            Patches = [new Kustomization.Patch("settings.yaml")],
        };

        yield return new GeneratedFile($"{directory}/namespace.yaml", [OverlayParts.Namespace(Conventions.Staging)]);
        foreach (var container in model.OfType(AspireResource.Container))
        {
            kustomization.Resources.Add(container.Name + ".yaml");
            yield return new GeneratedFile($"{directory}/{container.Name}.yaml", [Service(container), StatefulSet(container)]);
        }

        var services = baseLayer.Services.Select(service => service.Name).ToList();
        kustomization.Resources.Add($"{StripeEmulator.Name}.yaml");
        yield return new GeneratedFile($"{directory}/{StripeEmulator.Name}.yaml", StripeEmulator.Objects(EnvironmentName, PaymentsService, $"https://{Portal.StagingHost}").ToList());

        kustomization.Resources.Add("network-policies.yaml");
        yield return new GeneratedFile($"{directory}/network-policies.yaml", NetworkPolicies.For(
            services,
            baseLayer.ClientsOf(model.Get("azora").Name),
            baseLayer.ClientsOf(model.Get("cache").Name),
            baseLayer.HttpsClients,
            NetworkPolicies.Destination.Pods(model.Get("postgres").Name),
            NetworkPolicies.Destination.Pods(model.Get("cache").Name),
            [MailSettings.Staging.SmtpEgress(), .. StripeEmulator.Policies(baseLayer.HttpsClients, PaymentsService), .. Portal.Policies()],
            baseLayer.PooledDatabaseClients(model.Get("azora").Name)).ToList<object>());

        kustomization.Resources.Add($"{PgBouncer.Name}.yaml");
        yield return new GeneratedFile($"{directory}/{PgBouncer.Name}.yaml", PgBouncer.Objects(PgBouncer.Staging, databaseHost: model.Get("postgres").Name, acrossZones: false).ToList());

        // Staging has the production alerts and dashboard too, so the incident drill (deploy/drill.sh) can fire one.
        var stagingNamespace = Conventions.Namespace(Conventions.Staging);
        kustomization.Resources.Add("monitoring.yaml");
        yield return new GeneratedFile($"{directory}/monitoring.yaml",
        [
            .. ScrapeTargets.PodMonitors(), AlertRules.For(stagingNamespace, services, services), GrafanaDashboard.For(stagingNamespace, services, services),
        ]);

        kustomization.Resources.Add("ingress.yaml");
        yield return new GeneratedFile($"{directory}/ingress.yaml",
        [
            OverlayParts.Ingress(Host, "letsencrypt", StripeEmulator.Routes()),
            .. Portal.Ingresses(Portal.StagingHost, "letsencrypt"),
        ]);

        var extra = new Dictionary<string, IDictionary<string, string>>
        {
            ["api"] = new Dictionary<string, string>
            {
                ["Azora__Api__TrustedProxies__0"] = NetworkPolicies.TrustedProxyNetwork,
                ["Azora__Education__SeedSampleCatalog"] = "true",
                ["Azora__Stripe__ApiBase"] = StripeEmulator.ApiBase,
            },
            [PaymentsService] = new Dictionary<string, string> { ["Azora__Stripe__ApiBase"] = StripeEmulator.ApiBase },
            // Buyers pay on the emulator's test checkout page, which the Ingress serves on the API's host.
            [Portal.Name] = new Dictionary<string, string> { ["Azora__Web__Stripe__EmulatorUrl"] = StripeEmulator.PublicUrl },
        };
        yield return new GeneratedFile($"{directory}/settings.yaml", OverlayParts.SettingsPatches(baseLayer, EnvironmentName, MailSettings.Staging.ParameterValues(), extra).ToList<object>());
        yield return new GeneratedFile($"{directory}/kustomization.yaml", [kustomization]);
    }

    private static BackingService SizingOf(AspireResource container) =>
        BackingServices.TryGetValue(container.Name, out var sizing)
            ? sizing
            : throw new InvalidOperationException($"No in-cluster settings for the container '{container.Name}'; add it to StagingOverlay.");

    private static int PortOf(AspireResource container) =>
        container.Bindings.Values.Single().TargetPort
        ?? throw new InvalidOperationException($"The container '{container.Name}' has no target port.");

    private static V1Service Service(AspireResource container) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = Conventions.Metadata(container.Name, "backing-service"),
        Spec = new V1ServiceSpec
        {
            Type = "ClusterIP",
            Selector = Conventions.SelectorLabels(container.Name),
            Ports = [new V1ServicePort { Name = "tcp", Port = PortOf(container), TargetPort = "tcp", Protocol = "TCP" }],
        },
    };

    private V1StatefulSet StatefulSet(AspireResource container)
    {
        var sizing = SizingOf(container);
        var settings = ServiceSettings.From(container, model);
        var labels = Conventions.SelectorLabels(container.Name);
        var tcp = new V1Probe { TcpSocket = new V1TCPSocketAction { Port = "tcp" }, PeriodSeconds = 10, FailureThreshold = 3, TimeoutSeconds = 3 };
        var scratch = sizing.ScratchPaths.Select((path, index) => (Name: $"scratch-{index}", Path: path)).ToList();

        return new V1StatefulSet
        {
            ApiVersion = "apps/v1",
            Kind = "StatefulSet",
            Metadata = Conventions.Metadata(container.Name, "backing-service"),
            Spec = new V1StatefulSetSpec
            {
                ServiceName = container.Name,
                Replicas = 1,
                Selector = new V1LabelSelector { MatchLabels = labels },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec
                    {
                        AutomountServiceAccountToken = false,
                        EnableServiceLinks = false,
                        TerminationGracePeriodSeconds = 60,
                        SecurityContext = Workloads.RestrictedPod(sizing.UserId),
                        Containers =
                        [
                            new V1Container
                            {
                                Name = container.Name,
                                Image = container.Image,
                                ImagePullPolicy = Workloads.AlwaysPull,
                                Command = container.Entrypoint is null ? null : [container.Entrypoint],
                                Args = container.Args.Count == 0 ? null : container.Args.ToList(),
                                Env = settings.Plain.Select(setting => new V1EnvVar { Name = setting.Key, Value = setting.Value })
                                    .Concat(settings.SecretEnv())
                                    .ToList(),
                                Ports = [new V1ContainerPort { Name = "tcp", ContainerPort = PortOf(container), Protocol = "TCP" }],
                                Resources = Conventions.Resources(sizing.CpuRequest, sizing.MemoryRequest, sizing.CpuLimit, sizing.MemoryLimit),
                                SecurityContext = Workloads.RestrictedContainer(),
                                StartupProbe = new V1Probe { TcpSocket = tcp.TcpSocket, PeriodSeconds = 2, FailureThreshold = 60 },
                                LivenessProbe = tcp,
                                ReadinessProbe = tcp,
                                VolumeMounts =
                                [
                                    new V1VolumeMount { Name = "data", MountPath = sizing.DataPath },
                                    .. scratch.Select(mount => new V1VolumeMount { Name = mount.Name, MountPath = mount.Path }),
                                ],
                            },
                        ],
                        Volumes = scratch.Select(mount => new V1Volume { Name = mount.Name, EmptyDir = new V1EmptyDirVolumeSource() }).ToList(),
                    },
                },
                VolumeClaimTemplates =
                [
                    new V1PersistentVolumeClaim
                    {
                        Metadata = new V1ObjectMeta { Name = "data" },
                        Spec = new V1PersistentVolumeClaimSpec
                        {
                            AccessModes = ["ReadWriteOnce"],
                            Resources = new V1VolumeResourceRequirements
                            {
                                Requests = new Dictionary<string, ResourceQuantity> { ["storage"] = new(sizing.Storage) },
                            },
                        },
                    },
                ],
            },
        };
    }
}
