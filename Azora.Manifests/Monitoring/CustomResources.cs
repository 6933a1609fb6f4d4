using System.Text.Json.Serialization;
using k8s;
using k8s.Models;

namespace Azora.Manifests.Monitoring;

/// <summary>
/// The prometheus-operator objects Azora uses (monitoring.coreos.com/v1), with only the fields it sets. KubernetesClient
/// has no models for custom resources; these let the generator build them as objects and the tests load them strictly.
/// </summary>
[KubernetesEntity(Group = "monitoring.coreos.com", ApiVersion = "v1", Kind = "PrometheusRule", PluralName = "prometheusrules")]
public sealed class PrometheusRule : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "monitoring.coreos.com/v1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "PrometheusRule";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public PrometheusRuleSpec Spec { get; set; } = new();
}

public sealed class PrometheusRuleSpec
{
    [JsonPropertyName("groups")]
    public IList<RuleGroup> Groups { get; set; } = [];
}

public sealed class RuleGroup
{
    [JsonPropertyName("name")]
    public string Name { get; set; } = "";

    [JsonPropertyName("rules")]
    public IList<AlertRule> Rules { get; set; } = [];
}

public sealed class AlertRule
{
    [JsonPropertyName("alert")]
    public string Alert { get; set; } = "";

    [JsonPropertyName("expr")]
    public string Expr { get; set; } = "";

    [JsonPropertyName("for")]
    public string For { get; set; } = "";

    [JsonPropertyName("labels")]
    public IDictionary<string, string> Labels { get; set; } = new Dictionary<string, string>();

    [JsonPropertyName("annotations")]
    public IDictionary<string, string> Annotations { get; set; } = new Dictionary<string, string>();
}

/// <summary>
/// Scrapes pods directly: in production both API colours are scraped once each, which a ServiceMonitor on the
/// colour-switching Service would not do.
/// </summary>
[KubernetesEntity(Group = "monitoring.coreos.com", ApiVersion = "v1", Kind = "PodMonitor", PluralName = "podmonitors")]
public sealed class PodMonitor : IKubernetesObject<V1ObjectMeta>
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "monitoring.coreos.com/v1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "PodMonitor";

    [JsonPropertyName("metadata")]
    public V1ObjectMeta Metadata { get; set; } = new();

    [JsonPropertyName("spec")]
    public PodMonitorSpec Spec { get; set; } = new();
}

public sealed class PodMonitorSpec
{
    [JsonPropertyName("selector")]
    public V1LabelSelector Selector { get; set; } = new();

    [JsonPropertyName("podTargetLabels")]
    public IList<string> PodTargetLabels { get; set; } = [];

    [JsonPropertyName("podMetricsEndpoints")]
    public IList<PodMetricsEndpoint> PodMetricsEndpoints { get; set; } = [];
}

public sealed class PodMetricsEndpoint
{
    [JsonPropertyName("port")]
    public string Port { get; set; } = "";

    [JsonPropertyName("path")]
    public string Path { get; set; } = "";

    [JsonPropertyName("interval")]
    public string Interval { get; set; } = "";
}

public static class CustomResourceTypes
{
    /// <summary>The type map for <c>KubernetesYaml.LoadAllFromString</c>, keyed the way KubernetesClient keys its own.</summary>
    public static IDictionary<string, Type> ByApiVersionAndKind { get; } = new Dictionary<string, Type>
    {
        ["monitoring.coreos.com/v1/PrometheusRule"] = typeof(PrometheusRule),
        ["monitoring.coreos.com/v1/PodMonitor"] = typeof(PodMonitor),
    };
}
