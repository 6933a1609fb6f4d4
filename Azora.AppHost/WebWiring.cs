using Azora.AppHost.Infrastructure;

/// <summary>
/// The web portal (Azora.Web): server-rendered pages for learners, instructors and admins that call the API through
/// service discovery and never touch the database. It reads no product data from the cache either: it keeps its own
/// sign-in sessions (the API tokens of each browser) and its Data Protection key ring there, under keys of its own, so
/// that any replica serves any browser and a deploy signs no one out. Locally at http://localhost:5090, the address
/// the links in mail point at; in the published model a workload of its own (manifests/, the hosts azora.world and
/// staging.azora.world). Checkout, in run mode: with the local Stripe emulator, the portal sends buyers to the
/// emulator's test checkout page, which may send them back only to the portal; with Stripe itself, the portal shows
/// Stripe's Payment Element with the publishable key (the parameter <c>stripe-publishable-key</c>, given with the secret
/// key as user secrets). The published model carries neither: the manifests' generator gives each environment its
/// setting (docs/deployment/STRIPE.md).
/// </summary>
internal static class WebWiring
{
    public const string ResourceName = "web";

    public static void AddAzoraWeb(this IDistributedApplicationBuilder builder, IResourceBuilder<ProjectResource> api, AzoraInfrastructure infrastructure,
        IResourceBuilder<ProjectResource>? stripeEmulator)
    {
        var web = builder.AddProject<Projects.Azora_Web>(ResourceName)
            .WithReference(api)
            .WithReference(infrastructure.Cache)
            .WaitFor(infrastructure.CacheServer)
            .WaitFor(api)
            .WithHttpHealthCheck("/health");

        if (stripeEmulator is not null)
        {
            // The browser goes to this address, so it is the emulator's own URL, not a service-discovery name.
            web.WithEnvironment("Azora__Web__Stripe__EmulatorUrl", stripeEmulator.GetEndpoint("http"));
            stripeEmulator.WithEnvironment("Emulator__ReturnOrigins__0", web.GetEndpoint("http"));
        }
        else if (builder.ExecutionContext.IsRunMode && !string.IsNullOrWhiteSpace(builder.Configuration["Parameters:stripe-publishable-key"]))
        {
            web.WithEnvironment("Azora__Web__Stripe__PublishableKey", builder.AddParameter("stripe-publishable-key"));
        }
    }
}
