using System.Text.Json.Serialization;

namespace Azora.Manifests.Generation;

/// <summary>A <c>kustomization.yaml</c> (kustomize.config.k8s.io/v1beta1), only the fields Azora uses.</summary>
public sealed class Kustomization
{
    [JsonPropertyName("apiVersion")]
    public string ApiVersion { get; set; } = "kustomize.config.k8s.io/v1beta1";

    [JsonPropertyName("kind")]
    public string Kind { get; set; } = "Kustomization";

    [JsonPropertyName("namespace")]
    public string? Namespace { get; set; }

    [JsonPropertyName("resources")]
    public IList<string> Resources { get; set; } = [];

    [JsonPropertyName("replicas")]
    public IList<ReplicaCount>? Replicas { get; set; }

    [JsonPropertyName("images")]
    public IList<ImageOverride>? Images { get; set; }

    [JsonPropertyName("patches")]
    public IList<Patch>? Patches { get; set; }

    public sealed record ReplicaCount(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("count")] int Count);

    public sealed record ImageOverride(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("newName")] string NewName,
        [property: JsonPropertyName("newTag")] string NewTag);

    public sealed record Patch([property: JsonPropertyName("path")] string Path);
}
