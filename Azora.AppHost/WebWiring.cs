/// <summary>
/// The web portal (Azora.Web): server-rendered pages for learners, instructors and admins that call the API through
/// service discovery and never touch the database or the cache. Locally at http://localhost:5090, the address the
/// links in mail point at. Run mode only for now: the published model (manifests) does not have it yet.
/// </summary>
internal static class WebWiring
{
    public const string ResourceName = "web";

    public static void AddAzoraWeb(this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> api)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return;
        }

        builder.AddProject<Projects.Azora_Web>(ResourceName)
            .WithReference(api)
            .WaitFor(api)
            .WithHttpHealthCheck("/health");
    }
}
