using Azora.Manifests.Generation;
using k8s.Models;

namespace Azora.Manifests.Monitoring;

/// <summary>What the cluster's Prometheus scrapes in an Azora namespace (label prometheus=azora): the services and PgBouncer.</summary>
public static class ScrapeTargets
{
    public static IEnumerable<PodMonitor> PodMonitors()
    {
        // Pods, not the Service: in production both API colours are scraped once each.
        yield return PodMonitorOf("azora", "service", "http", "/metrics", ["app.kubernetes.io/name", "version"]);
        // The exporter beside each PgBouncer reads its SHOW STATS/POOLS (pgbouncer_* metrics).
        yield return PodMonitorOf(PgBouncer.Name, "pooler", "metrics", "/metrics", ["app.kubernetes.io/name"]);
    }

    private static PodMonitor PodMonitorOf(string name, string component, string port, string path, IList<string> targetLabels) => new()
    {
        Metadata = new V1ObjectMeta
        {
            Name = name,
            Labels = new Dictionary<string, string> { ["app.kubernetes.io/part-of"] = Conventions.PartOf, ["prometheus"] = "azora" },
        },
        Spec = new PodMonitorSpec
        {
            Selector = new V1LabelSelector
            {
                MatchLabels = new Dictionary<string, string> { ["app.kubernetes.io/part-of"] = Conventions.PartOf, ["app.kubernetes.io/component"] = component },
            },
            PodTargetLabels = targetLabels,
            PodMetricsEndpoints = [new PodMetricsEndpoint { Port = port, Path = path, Interval = "30s" }],
        },
    };
}
