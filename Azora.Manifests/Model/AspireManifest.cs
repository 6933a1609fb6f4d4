using System.Text.Json;

namespace Azora.Manifests.Model;

/// <summary>
/// The parts of Aspire's <c>aspire-manifest.json</c> (publisher "manifest") that Kubernetes objects are made from:
/// projects become workloads, containers become in-cluster services, parameters marked secret and connection strings
/// become references to Kubernetes Secrets.
/// </summary>
public sealed record AspireManifest(IReadOnlyDictionary<string, AspireResource> Resources)
{
    public static AspireManifest Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var resources = new SortedDictionary<string, AspireResource>(StringComparer.Ordinal);
        foreach (var property in document.RootElement.GetProperty("resources").EnumerateObject())
        {
            resources[property.Name] = AspireResource.Parse(property.Name, property.Value);
        }

        return new AspireManifest(resources);
    }

    public IEnumerable<AspireResource> OfType(string type) => Resources.Values.Where(resource => resource.Type == type);

    public AspireResource Get(string name) =>
        Resources.TryGetValue(name, out var resource)
            ? resource
            : throw new InvalidOperationException($"The Aspire model has no resource named '{name}'.");
}

public sealed record AspireResource(
    string Name,
    string Type,
    string? Image,
    string? Entrypoint,
    IReadOnlyList<string> Args,
    IReadOnlyDictionary<string, string> Env,
    IReadOnlyDictionary<string, AspireBinding> Bindings,
    IReadOnlyList<AspireVolume> Volumes,
    bool Secret)
{
    public const string Project = "project.v0";
    public const string Container = "container.v0";
    public const string Parameter = "parameter.v0";
    public const string Value = "value.v0";

    public static AspireResource Parse(string name, JsonElement element)
    {
        var env = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (element.TryGetProperty("env", out var envElement))
        {
            foreach (var variable in envElement.EnumerateObject())
            {
                env[variable.Name] = variable.Value.GetString() ?? "";
            }
        }

        var bindings = new SortedDictionary<string, AspireBinding>(StringComparer.Ordinal);
        if (element.TryGetProperty("bindings", out var bindingsElement))
        {
            foreach (var binding in bindingsElement.EnumerateObject())
            {
                bindings[binding.Name] = new AspireBinding(
                    binding.Value.GetProperty("scheme").GetString()!,
                    binding.Value.TryGetProperty("targetPort", out var port) ? port.GetInt32() : null);
            }
        }

        var volumes = element.TryGetProperty("volumes", out var volumesElement)
            ? volumesElement.EnumerateArray()
                .Select(volume => new AspireVolume(volume.GetProperty("name").GetString()!, volume.GetProperty("target").GetString()!))
                .ToList()
            : [];

        var args = element.TryGetProperty("args", out var argsElement)
            ? argsElement.EnumerateArray().Select(arg => arg.GetString()!).ToList()
            : [];

        var secret = element.TryGetProperty("inputs", out var inputs)
            && inputs.TryGetProperty("value", out var input)
            && input.TryGetProperty("secret", out var secretFlag)
            && secretFlag.GetBoolean();

        return new AspireResource(
            name,
            element.GetProperty("type").GetString()!,
            element.TryGetProperty("image", out var image) ? image.GetString() : null,
            element.TryGetProperty("entrypoint", out var entrypoint) ? entrypoint.GetString() : null,
            args,
            env,
            bindings,
            volumes,
            secret);
    }
}

public sealed record AspireBinding(string Scheme, int? TargetPort);

public sealed record AspireVolume(string Name, string Target);
