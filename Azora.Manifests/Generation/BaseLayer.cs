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
