using Azora.Manifests.Model;
using k8s.Models;

namespace Azora.Manifests.Generation;

/// <summary>The Deployment, Service, ConfigMap and Job made from an Aspire project.</summary>
public static class Workloads
{
    private sealed record Sizing(string CpuRequest, string MemoryRequest, string CpuLimit, string MemoryLimit);

    // Measured on the local stack: an idle API holds ~120 MiB and one login costs ~55 ms of CPU (benchmarks/); the
    // limits leave room for a burst of logins and for the output cache's in-memory copy.
    private static readonly Dictionary<string, Sizing> Sizes = new(StringComparer.Ordinal)
    {
        ["api"] = new("250m", "256Mi", "1", "512Mi"),
        ["payments"] = new("100m", "192Mi", "500m", "384Mi"),
        // The portal renders pages on the server (no circuits: static rendering), one or two API calls a page; not yet
        // measured under load, so the API's limits until the portal's benchmark says otherwise.
        [Portal.Name] = new("200m", "256Mi", "1", "512Mi"),
        ["migrations"] = new("100m", "128Mi", "500m", "256Mi"),
        // Staging only; keeps a few PaymentIntents in memory.
        [StripeEmulator.Name] = new("50m", "128Mi", "250m", "256Mi"),
    };

    /// <summary>
    /// The node checks with the registry at every pod start (a manifest request; cached layers are not fetched again),
    /// so a pod can never run an image its namespace's credentials would not be allowed to pull.
    /// </summary>
    public const string AlwaysPull = "Always";

    public static bool Serves(AspireResource project) => project.Bindings.ContainsKey("http");

    public static V1ConfigMap SettingsConfigMap(AspireResource project, ServiceSettings settings) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = new V1ObjectMeta { Name = Conventions.SettingsConfigMap(project.Name), Labels = Conventions.Labels(project.Name, ComponentOf(project)) },
        Data = new Dictionary<string, string>(settings.Plain),
    };

    public static V1Deployment Deployment(
        AspireResource project, ServiceSettings settings, string? name = null, string? image = null, IDictionary<string, string>? extraLabels = null,
        bool acrossZones = false)
    {
        name ??= project.Name;
        var selector = Conventions.SelectorLabels(project.Name, extraLabels);

        return new V1Deployment
        {
            ApiVersion = "apps/v1",
            Kind = "Deployment",
            Metadata = Conventions.Metadata(name, ComponentOf(project), extraLabels, app: project.Name),
            Spec = new V1DeploymentSpec
            {
                // No replica count here: staging sets it, and in production the autoscaler owns it (a count in the
                // manifest would scale the live pods back down at every apply).
                RevisionHistoryLimit = 5,
                Selector = new V1LabelSelector { MatchLabels = selector },
                Strategy = new V1DeploymentStrategy
                {
                    Type = "RollingUpdate",
                    RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = "25%", MaxUnavailable = 0 },
                },
                Template = PodTemplate(project, settings, image ?? Conventions.ImageName(project.Name), selector, acrossZones),
            },
        };
    }

    public static V1Service Service(AspireResource project, string? name = null, IDictionary<string, string>? extraSelector = null)
    {
        var selector = Conventions.SelectorLabels(project.Name, extraSelector);

        return new V1Service
        {
            ApiVersion = "v1",
            Kind = "Service",
            Metadata = Conventions.Metadata(name ?? project.Name, ComponentOf(project), extraSelector, app: project.Name),
            Spec = new V1ServiceSpec
            {
                Type = "ClusterIP",
                Selector = selector,
                Ports = [new V1ServicePort { Name = "http", Port = 80, TargetPort = "http", Protocol = "TCP" }],
            },
        };
    }

    /// <summary>A project without an endpoint runs to completion: the schema migration step, once per deploy.</summary>
    public static V1Job Job(AspireResource project, ServiceSettings settings)
    {
        var template = PodTemplate(project, settings, Conventions.ImageName(project.Name), Conventions.SelectorLabels(project.Name));
        template.Spec.RestartPolicy = "Never";
        return new V1Job
        {
            ApiVersion = "batch/v1",
            Kind = "Job",
            Metadata = Conventions.Metadata(project.Name, ComponentOf(project)),
            Spec = new V1JobSpec
            {
                BackoffLimit = 2,
                ActiveDeadlineSeconds = 600,
                Template = template,
            },
        };
    }

    public static string ComponentOf(AspireResource project) => Serves(project) ? "service" : "job";

    private static V1PodTemplateSpec PodTemplate(AspireResource project, ServiceSettings settings, string image, Dictionary<string, string> labels, bool acrossZones = false)
    {
        var serves = Serves(project);
        var size = Sizes.TryGetValue(project.Name, out var known)
            ? known
            : throw new InvalidOperationException($"No resource sizing for '{project.Name}'; add it to Workloads.Sizes.");

        var container = new V1Container
        {
            Name = project.Name,
            Image = image,
            ImagePullPolicy = AlwaysPull,
            EnvFrom = [new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = Conventions.SettingsConfigMap(project.Name) } }],
            Env = settings.SecretEnv().ToList(),
            Resources = Conventions.Resources(size.CpuRequest, size.MemoryRequest, size.CpuLimit, size.MemoryLimit),
            SecurityContext = RestrictedContainer(),
            VolumeMounts = [new V1VolumeMount { Name = "tmp", MountPath = "/tmp" }],
        };

        var podLabels = new Dictionary<string, string>(labels) { ["app.kubernetes.io/component"] = ComponentOf(project) };
        var annotations = new Dictionary<string, string>();
        if (serves)
        {
            container.Ports = [new V1ContainerPort { Name = "http", ContainerPort = Conventions.HttpPort, Protocol = "TCP" }];
            container.StartupProbe = HttpProbe("/alive", periodSeconds: 2, failureThreshold: 30);
            container.LivenessProbe = HttpProbe("/alive", periodSeconds: 10, failureThreshold: 3);
            container.ReadinessProbe = HttpProbe("/health", periodSeconds: 5, failureThreshold: 2);
            // Lets the Service and ingress stop sending new requests before the host starts draining.
            container.Lifecycle = new V1Lifecycle { PreStop = new V1LifecycleHandler { Sleep = new V1SleepAction { Seconds = 5 } } };
            annotations["prometheus.io/scrape"] = "true";
            annotations["prometheus.io/port"] = Conventions.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            annotations["prometheus.io/path"] = "/metrics";
        }

        return new V1PodTemplateSpec
        {
            Metadata = new V1ObjectMeta { Labels = podLabels, Annotations = annotations.Count > 0 ? annotations : null },
            Spec = new V1PodSpec
            {
                AutomountServiceAccountToken = false,
                EnableServiceLinks = false,
                TerminationGracePeriodSeconds = 30,
                SecurityContext = RestrictedPod(Conventions.AppUserId),
                Containers = [container],
                Volumes = [new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource { SizeLimit = new ResourceQuantity("64Mi") } }],
                TopologySpreadConstraints = serves ? Spread(labels, acrossZones) : null,
            },
        };
    }

    public const string ZoneKey = "topology.kubernetes.io/zone";
    public const string NodeKey = "kubernetes.io/hostname";

    /// <summary>
    /// Pods of one workload spread over nodes (best effort: a node may hold two when the others are full) and, in
    /// production, over zones strictly: no zone holds more than one pod more than another, so losing a zone loses at
    /// most a third of the pods (rounded up). Nodes of a lost zone carry the not-ready/unreachable taints; with
    /// nodeTaintsPolicy Honor they stop counting as a domain, so the replacements schedule in the surviving zones.
    /// pod-template-hash keeps a rollout's new pods spread among themselves.
    /// </summary>
    public static IList<V1TopologySpreadConstraint> Spread(IDictionary<string, string> labels, bool acrossZones)
    {
        V1TopologySpreadConstraint Constraint(string key, string whenUnsatisfiable) => new()
        {
            MaxSkew = 1,
            TopologyKey = key,
            WhenUnsatisfiable = whenUnsatisfiable,
            LabelSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string>(labels) },
            MatchLabelKeys = ["pod-template-hash"],
            NodeTaintsPolicy = acrossZones && key == ZoneKey ? "Honor" : null,
        };

        return acrossZones
            ? [Constraint(ZoneKey, "DoNotSchedule"), Constraint(NodeKey, "ScheduleAnyway")]
            : [Constraint(NodeKey, "ScheduleAnyway")];
    }

    public static V1PodSecurityContext RestrictedPod(long userId) => new()
    {
        RunAsNonRoot = true,
        RunAsUser = userId,
        RunAsGroup = userId,
        FsGroup = userId,
        SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
    };

    public static V1SecurityContext RestrictedContainer() => new()
    {
        AllowPrivilegeEscalation = false,
        ReadOnlyRootFilesystem = true,
        RunAsNonRoot = true,
        Capabilities = new V1Capabilities { Drop = ["ALL"] },
    };

    private static V1Probe HttpProbe(string path, int periodSeconds, int failureThreshold) => new()
    {
        HttpGet = new V1HTTPGetAction { Path = path, Port = "http" },
        PeriodSeconds = periodSeconds,
        FailureThreshold = failureThreshold,
        TimeoutSeconds = 3,
    };
}
