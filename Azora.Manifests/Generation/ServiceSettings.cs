using System.Text.RegularExpressions;
using Azora.Manifests.Model;
using k8s.Models;

namespace Azora.Manifests.Generation;

/// <summary>
/// A project's environment from the Aspire model, split into plain settings (its ConfigMap), references to Secrets, and
/// settings read from non-secret parameters, whose values differ per environment and come from each overlay
/// (<see cref="OverlayParts.SettingsPatches"/>).
/// </summary>
public sealed partial record ServiceSettings(
    IReadOnlyDictionary<string, string> Plain,
    IReadOnlyList<(string Variable, SecretCatalog.SecretKey Secret)> Secrets,
    IReadOnlyList<(string Variable, string Parameter)>? PerEnvironment = null)
{
    public static ServiceSettings From(AspireResource project, AspireManifest model)
    {
        var plain = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var secrets = new List<(string, SecretCatalog.SecretKey)>();
        var perEnvironment = new List<(string, string)>();
        var referencedResources = project.Env.Values
            .Select(value => ConnectionStringReference().Match(value))
            .Where(match => match.Success)
            .Select(match => match.Groups["resource"].Value.ToUpperInvariant() + "_")
            .ToList();

        foreach (var (variable, value) in project.Env)
        {
            if (referencedResources.Any(prefix => variable.StartsWith(prefix, StringComparison.Ordinal)))
            {
                // Aspire's connection properties (AZORA_HOST, CACHE_PASSWORD, …) repeat the connection string piece by
                // piece; the services read only ConnectionStrings__*, so the pieces are not carried over.
            }
            else if (!value.Contains('{'))
            {
                plain[variable] = value;
            }
            else if (ConnectionStringReference().Match(value) is { Success: true } connection)
            {
                secrets.Add((variable, SecretCatalog.ForConnectionString(connection.Groups["resource"].Value)));
                if (connection.Groups["resource"].Value == "azora")
                {
                    secrets.Add((SecretCatalog.DirectDatabaseVariable, SecretCatalog.DirectDatabase));
                }
            }
            else if (ParameterReference().Match(value) is { Success: true } parameter)
            {
                var name = parameter.Groups["parameter"].Value;
                if (model.Get(name).Secret)
                {
                    secrets.Add((variable, SecretCatalog.ForParameter(name)));
                }
                else
                {
                    perEnvironment.Add((variable, name));
                }
            }
            else if (TargetPortReference().IsMatch(value))
            {
                plain[variable] = Conventions.HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            else if (EndpointUrlReference().Match(value) is { Success: true } endpoint && ServesHttp(model, endpoint.Groups["resource"].Value))
            {
                // A reference to another project (service discovery, as the portal finds the API). Inside the cluster
                // that project is its Service, plain HTTP on port 80: TLS ends at the ingress controller. So the
                // discovery entry for http names the Service, and the https entry and Aspire's API_HTTP(S)-style
                // variables, which nothing reads, are not carried over (an https entry would be preferred and fail).
                var resource = endpoint.Groups["resource"].Value;
                if (variable == $"services__{resource}__http__0")
                {
                    plain[variable] = $"http://{resource}";
                }
                else if (variable != $"services__{resource}__https__0"
                         && variable != $"{resource.ToUpperInvariant().Replace('-', '_')}_{endpoint.Groups["scheme"].Value.ToUpperInvariant()}")
                {
                    throw new InvalidOperationException($"'{project.Name}' has {variable}={value}, which the generator cannot express.");
                }
            }
            else
            {
                throw new InvalidOperationException($"'{project.Name}' has {variable}={value}, which the generator cannot express.");
            }
        }

        return new ServiceSettings(
            plain,
            secrets.OrderBy(secret => secret.Item1, StringComparer.Ordinal).ToList(),
            perEnvironment.OrderBy(setting => setting.Item1, StringComparer.Ordinal).ToList());
    }

    private static bool ServesHttp(AspireManifest model, string resource) =>
        model.Resources.TryGetValue(resource, out var target) && target.Type == AspireResource.Project && Workloads.Serves(target);

    public IEnumerable<V1EnvVar> SecretEnv() =>
        Secrets.Select(secret => new V1EnvVar { Name = secret.Variable, ValueFrom = secret.Secret.ToEnvSource() });

    [GeneratedRegex(@"^\{(?<resource>[a-z0-9-]+)\.connectionString\}$")]
    private static partial Regex ConnectionStringReference();

    [GeneratedRegex(@"^\{(?<parameter>[a-z0-9-]+)\.value\}$")]
    private static partial Regex ParameterReference();

    [GeneratedRegex(@"^\{[a-z0-9-]+\.bindings\.https?\.targetPort\}$")]
    private static partial Regex TargetPortReference();

    [GeneratedRegex(@"^\{(?<resource>[a-z0-9-]+)\.bindings\.(?<scheme>https?)\.url\}$")]
    private static partial Regex EndpointUrlReference();
}
