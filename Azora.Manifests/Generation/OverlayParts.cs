using Azora.Manifests.Model;
using k8s.Models;

namespace Azora.Manifests.Generation;

/// <summary>Objects both overlays make the same way, differing only in their arguments.</summary>
public static class OverlayParts
{
    /// <summary>The namespace, enforcing the "restricted" Pod Security Standard every generated pod meets.</summary>
    public static V1Namespace Namespace(string environment) => new()
    {
        ApiVersion = "v1",
        Kind = "Namespace",
        Metadata = new V1ObjectMeta
        {
            Name = Conventions.Namespace(environment),
            Labels = new Dictionary<string, string>
            {
                ["app.kubernetes.io/part-of"] = Conventions.PartOf,
                ["pod-security.kubernetes.io/enforce"] = "restricted",
                ["pod-security.kubernetes.io/enforce-version"] = "latest",
            },
        },
    };

    /// <summary>
    /// Settings that differ per environment, merged into the base ConfigMaps: the environment's name, a value for each
    /// setting a project reads from a non-secret parameter (<paramref name="parameterValues"/>; one missing stops
    /// generation), and <paramref name="extra"/>.
    /// </summary>
    public static IEnumerable<V1ConfigMap> SettingsPatches(
        BaseLayer baseLayer, string environmentName, IReadOnlyDictionary<string, string> parameterValues, IDictionary<string, IDictionary<string, string>> extra)
    {
        foreach (var project in baseLayer.Projects)
        {
            var data = new SortedDictionary<string, string>(StringComparer.Ordinal)
            {
                ["ASPNETCORE_ENVIRONMENT"] = environmentName,
                ["DOTNET_ENVIRONMENT"] = environmentName,
            };
            foreach (var (variable, parameter) in baseLayer.SettingsOf(project).PerEnvironment ?? [])
            {
                data[variable] = parameterValues.TryGetValue(parameter, out var value)
                    ? value
                    : throw new InvalidOperationException(
                        $"'{project.Name}' reads the parameter '{parameter}', which has no value for {environmentName}; give it one in the generator.");
            }

            if (extra.TryGetValue(project.Name, out var settings))
            {
                foreach (var (key, value) in settings)
                {
                    data[key] = value;
                }
            }

            yield return new V1ConfigMap
            {
                ApiVersion = "v1",
                Kind = "ConfigMap",
                Metadata = new V1ObjectMeta { Name = Conventions.SettingsConfigMap(project.Name) },
                Data = data,
            };
        }
    }

    public static IList<Kustomization.ImageOverride> Images(IEnumerable<string> imageNames, Func<string, string> repository) =>
        imageNames
            .Select(name => new Kustomization.ImageOverride(name, $"{Conventions.ImageRegistry}/{repository(name)}", Conventions.UnsetImageTag))
            .ToList();

    /// <summary>
    /// The API's public entry: the API's paths to the api Service and Stripe's webhook path, alone, to payments. Health
    /// and metrics endpoints stay inside the cluster. TLS comes from cert-manager.
    /// </summary>
    public static V1Ingress Ingress(string host, string clusterIssuer, IEnumerable<(string Path, string PathType, string Service)>? extraRoutes = null) =>
        IngressFor("azora", host,
        [
            ("/api", "Prefix", "api"),
            ("/.well-known", "Prefix", "api"),
            ("/openapi/v1.json", "Exact", "api"),
            ("/webhooks/stripe", "Exact", "payments"),
            .. extraRoutes ?? [],
        ], new Dictionary<string, string> { ["cert-manager.io/cluster-issuer"] = clusterIssuer });

    /// <summary>An nginx Ingress for one host over TLS (plain HTTP redirected, bodies up to 1 MiB) with these routes.</summary>
    public static V1Ingress IngressFor(
        string name, string host, IEnumerable<(string Path, string PathType, string Service)> routes, IDictionary<string, string> annotations)
    {
        V1HTTPIngressPath Route(string path, string pathType, string service) => new()
        {
            Path = path,
            PathType = pathType,
            Backend = new V1IngressBackend
            {
                Service = new V1IngressServiceBackend { Name = service, Port = new V1ServiceBackendPort { Name = "http" } },
            },
        };

        var allAnnotations = new Dictionary<string, string>(annotations)
        {
            ["nginx.ingress.kubernetes.io/proxy-body-size"] = "1m",
            ["nginx.ingress.kubernetes.io/ssl-redirect"] = "true",
        };
        return new V1Ingress
        {
            ApiVersion = "networking.k8s.io/v1",
            Kind = "Ingress",
            Metadata = new V1ObjectMeta
            {
                Name = name,
                Labels = new Dictionary<string, string> { ["app.kubernetes.io/part-of"] = Conventions.PartOf },
                Annotations = allAnnotations,
            },
            Spec = new V1IngressSpec
            {
                IngressClassName = "nginx",
                Tls = [new V1IngressTLS { Hosts = [host], SecretName = host.Replace('.', '-') + "-tls" }],
                Rules =
                [
                    new V1IngressRule
                    {
                        Host = host,
                        Http = new V1HTTPIngressRuleValue { Paths = routes.Select(route => Route(route.Path, route.PathType, route.Service)).ToList() },
                    },
                ],
            },
        };
    }
}
