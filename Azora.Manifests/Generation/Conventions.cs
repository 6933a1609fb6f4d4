using k8s.Models;

namespace Azora.Manifests.Generation;

/// <summary>Names, labels, ports and sizes shared by every generated object.</summary>
public static class Conventions
{
    public const string PartOf = "azora";
    public const string ImageRegistry = "ghcr.io/azora-world";

    /// <summary>Committed overlays carry this tag; <c>deploy/apply.sh --tag</c> replaces it with the commit being deployed.</summary>
    public const string UnsetImageTag = "0.0.0-set-by-deploy";

    /// <summary>The port ASP.NET Core listens on in the SDK-built images (<c>ASPNETCORE_HTTP_PORTS</c> defaults to 8080).</summary>
    public const int HttpPort = 8080;

    /// <summary>The <c>app</c> user of the .NET base images.</summary>
    public const long AppUserId = 1654;

    public const string Staging = "staging";
    public const string Production = "production";

    public static string Namespace(string environment) => "azora-" + environment;

    /// <summary>The image a project is built into by <c>dotnet publish -t:PublishContainer</c> (its ContainerRepository).</summary>
    public static string ImageName(string resource) => "azora-" + resource;

    public static string SettingsConfigMap(string resource) => resource + "-settings";

    /// <summary>The labels that select an app's pods, plus <paramref name="extra"/> (the colour of a blue/green API).</summary>
    public static Dictionary<string, string> SelectorLabels(string name, IDictionary<string, string>? extra = null)
    {
        var labels = new Dictionary<string, string>
        {
            ["app.kubernetes.io/name"] = name,
            ["app.kubernetes.io/part-of"] = PartOf,
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            labels[key] = value;
        }

        return labels;
    }

    public static Dictionary<string, string> Labels(string name, string component, IDictionary<string, string>? extra = null) =>
        new(SelectorLabels(name, extra)) { ["app.kubernetes.io/component"] = component };

    /// <summary>Metadata for an object of the app <paramref name="app"/> (its own name unless given).</summary>
    public static V1ObjectMeta Metadata(string name, string component, IDictionary<string, string>? extraLabels = null, string? app = null) =>
        new() { Name = name, Labels = Labels(app ?? name, component, extraLabels) };

    public static V1ResourceRequirements Resources(string cpuRequest, string memoryRequest, string cpuLimit, string memoryLimit) => new()
    {
        Requests = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new(cpuRequest),
            ["memory"] = new(memoryRequest),
        },
        Limits = new Dictionary<string, ResourceQuantity>
        {
            ["cpu"] = new(cpuLimit),
            ["memory"] = new(memoryLimit),
        },
    };
}
