using Azora.Manifests.Monitoring;
using k8s;
using k8s.Models;

namespace Azora.Tests.Deployment;

/// <summary>An overlay of the committed <c>manifests/</c> as <c>kubectl kustomize</c> builds it, loaded strictly.</summary>
internal sealed record BuiltOverlay(string Name, string Yaml, IReadOnlyList<object> Objects)
{
    public static readonly string[] Names = ["staging", "production"];

    private static readonly Dictionary<string, Lazy<Task<BuiltOverlay>>> Cache =
        Names.ToDictionary(name => name, name => new Lazy<Task<BuiltOverlay>>(() => BuildAsync(Repository.PathOf($"manifests/overlays/{name}"), name)));

    public static Task<BuiltOverlay> GetAsync(string name) => Cache[name].Value;

    public static async Task<BuiltOverlay> BuildAsync(string directory, string name)
    {
        var (exitCode, yaml, error) = await Repository.RunAsync("kubectl", ["kustomize", directory]);
        Assert.True(exitCode == 0, $"kubectl kustomize {directory} failed: {error}");
        return new BuiltOverlay(name, yaml, Load(yaml));
    }

    /// <summary>Unknown fields and unknown kinds fail, so a typo in a generated object cannot pass.</summary>
    public static IReadOnlyList<object> Load(string yaml) =>
        KubernetesYaml.LoadAllFromString(yaml, CustomResourceTypes.ByApiVersionAndKind, strict: true);

    public IEnumerable<T> All<T>() => Objects.OfType<T>();

    public T Single<T>(string name) where T : IKubernetesObject<V1ObjectMeta> =>
        All<T>().SingleOrDefault(item => item.Metadata.Name == name)
        ?? throw new Xunit.Sdk.XunitException($"{Name} has no {typeof(T).Name} named {name}.");

    /// <summary>Every pod template with the kind and name of the object that owns it.</summary>
    public IEnumerable<(string Owner, V1PodTemplateSpec Template)> PodTemplates() =>
        All<V1Deployment>().Select(item => ($"Deployment/{item.Metadata.Name}", item.Spec.Template))
            .Concat(All<V1StatefulSet>().Select(item => ($"StatefulSet/{item.Metadata.Name}", item.Spec.Template)))
            .Concat(All<V1Job>().Select(item => ($"Job/{item.Metadata.Name}", item.Spec.Template)))
            .Concat(All<V1CronJob>().Select(item => ($"CronJob/{item.Metadata.Name}", item.Spec.JobTemplate.Spec.Template)));

    /// <summary>Every Secret key a container reads through its environment or a pod mounts as a file.</summary>
    public IEnumerable<V1SecretKeySelector> SecretReferences() =>
        PodTemplates()
            .SelectMany(pod => pod.Template.Spec.Containers.SelectMany(container => container.Env ?? []))
            .Select(env => env.ValueFrom?.SecretKeyRef)
            .OfType<V1SecretKeySelector>()
            .Concat(PodTemplates()
                .SelectMany(pod => pod.Template.Spec.Volumes ?? [])
                .Where(volume => volume.Secret is not null)
                .SelectMany(volume => (volume.Secret.Items ?? []).Select(item => new V1SecretKeySelector { Name = volume.Secret.SecretName, Key = item.Key })));

    public static bool Selects(IDictionary<string, string> selector, IDictionary<string, string>? labels) =>
        labels is not null && selector.All(pair => labels.TryGetValue(pair.Key, out var value) && value == pair.Value);

    public static bool Selects(V1LabelSelector selector, IDictionary<string, string>? labels)
    {
        labels ??= new Dictionary<string, string>();
        var matchLabels = selector.MatchLabels is null || Selects(selector.MatchLabels, labels);
        var matchExpressions = (selector.MatchExpressions ?? []).All(requirement => requirement.OperatorProperty switch
        {
            "In" => labels.TryGetValue(requirement.Key, out var value) && requirement.Values.Contains(value),
            "NotIn" => !labels.TryGetValue(requirement.Key, out var value) || !requirement.Values.Contains(value),
            "Exists" => labels.ContainsKey(requirement.Key),
            "DoesNotExist" => !labels.ContainsKey(requirement.Key),
            _ => throw new Xunit.Sdk.XunitException($"Unknown selector operator {requirement.OperatorProperty}"),
        });
        return matchLabels && matchExpressions;
    }
}
