using Azora.AppHost.Infrastructure;

/// <summary>
/// The web portal (Azora.Web): server-rendered pages for learners, instructors and admins that call the API through
/// service discovery and never touch the database. It reads no product data from the cache either: it keeps its own
/// sign-in sessions (the API tokens of each browser) and its Data Protection key ring there, under keys of its own, so
/// that any replica serves any browser and a deploy signs no one out. Locally at http://localhost:5090, the address
/// the links in mail point at. Run mode only for now: the published model (manifests) does not have it yet.
/// </summary>
internal static class WebWiring
{
    public const string ResourceName = "web";

    public static void AddAzoraWeb(this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> api, AzoraInfrastructure infrastructure)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return;
        }

        builder.AddProject<Projects.Azora_Web>(ResourceName)
            .WithReference(api)
            .WithReference(infrastructure.Cache)
            .WaitFor(infrastructure.CacheServer)
            .WaitFor(api)
            .WithHttpHealthCheck("/health");
    }
}
