using k8s;

namespace Azora.Manifests.Generation;

/// <summary>One file of <c>manifests/</c>: a path relative to it and the objects it holds.</summary>
public sealed record GeneratedFile(string Path, IReadOnlyList<object> Objects)
{
    public const string Header =
        "# Generated from the Aspire model by Azora.Manifests (scripts/generate-manifests.sh). Do not edit: regenerate.\n";

    public string Render()
    {
        var yaml = Objects.Count == 1 ? KubernetesYaml.Serialize(Objects[0]) : KubernetesYaml.SerializeAll(Objects);
        return Header + yaml.TrimEnd('\n') + "\n";
    }
}
