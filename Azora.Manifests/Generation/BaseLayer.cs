using Azora.Manifests.Model;

namespace Azora.Manifests.Generation;

/// <summary>
/// <c>manifests/base/</c>: for each project that serves HTTP a ConfigMap, a Deployment and a Service; for a project
/// that runs to completion (the schema migrations) a ConfigMap and a Job.
/// </summary>
public sealed class BaseLayer(AspireManifest model)
{
    public IReadOnlyList<AspireResource> Projects { get; } = model.OfType(AspireResource.Project).ToList();

    public IReadOnlyList<AspireResource> Services => Projects.Where(Workloads.Serves).ToList();

    public ServiceSettings SettingsOf(AspireResource project) => ServiceSettings.From(project, model);

    /// <summary>The projects whose settings carry the connection string of <paramref name="resource"/> (azora, cache).</summary>
    public IReadOnlyList<string> ClientsOf(string resource) =>
        Projects.Where(project => project.Env.Values.Contains($"{{{resource}.connectionString}}")).Select(project => project.Name).ToList();

    /// <summary>The services among the clients of <paramref name="resource"/>: in the clusters they reach it through PgBouncer.</summary>
    public IReadOnlyList<string> PooledDatabaseClients(string resource) =>
        ClientsOf(resource).Where(name => Services.Any(service => service.Name == name)).ToList();

    /// <summary>The services that call out over HTTPS (Stripe, partners' webhooks): all but the portal, which calls only the API.</summary>
    public IReadOnlyList<string> HttpsClients => Services.Select(service => service.Name).Where(name => name != Portal.Name).ToList();

    public IEnumerable<GeneratedFile> Files()
    {
        var kustomization = new Kustomization();
        foreach (var project in Projects)
        {
            var settings = SettingsOf(project);
            object[] objects = Workloads.Serves(project)
                ?
                [
                    Workloads.SettingsConfigMap(project, settings),
                    Workloads.Deployment(project, settings),
                    Workloads.Service(project),
                ]
                : [Workloads.SettingsConfigMap(project, settings), Workloads.Job(project, settings)];
            kustomization.Resources.Add(project.Name + ".yaml");
            yield return new GeneratedFile($"base/{project.Name}.yaml", objects);
        }

        yield return new GeneratedFile("base/kustomization.yaml", [kustomization]);
    }
}
