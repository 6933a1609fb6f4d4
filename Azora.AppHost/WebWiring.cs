using Azora.AppHost.Infrastructure;

/// <summary>
/// The web portal (Azora.Web): server-rendered pages for learners, instructors and admins that call the API through
/// service discovery and never touch the database. It reads no product data from the cache either: it keeps its own
/// sign-in sessions (the API tokens of each browser) and its Data Protection key ring there, under keys of its own, so
/// that any replica serves any browser and a deploy signs no one out. Locally at http://localhost:5090, the address
/// the links in mail point at; in the published model a workload of its own (manifests/, the hosts azora.world and
/// staging.azora.world).
/// </summary>
internal static class WebWiring
{
    public const string ResourceName = "web";

    public static void AddAzoraWeb(this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> api, AzoraInfrastructure infrastructure)
    {
        builder.AddProject<Projects.Azora_Web>(ResourceName)
            .WithReference(api)
            .WithReference(infrastructure.Cache)
            .WaitFor(infrastructure.CacheServer)
            .WaitFor(api)
            .WithHttpHealthCheck("/health");
    }
}
