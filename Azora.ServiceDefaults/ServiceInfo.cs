using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Microsoft.Extensions.Hosting;

/// <summary>What <c>GET /</c> of every Azora service answers: its name and version.</summary>
public sealed record ServiceInfo(string Service, string Version);

public static class ServiceInfoEndpoint
{
    /// <summary>Maps <c>GET /</c> (operation <c>GetServiceInfo</c>) to the service's name and its entry assembly's version.</summary>
    public static RouteHandlerBuilder MapServiceInfo(this WebApplication app, string service)
    {
        var info = new ServiceInfo(service, Assembly.GetEntryAssembly()?.GetName().Version?.ToString() ?? "0.0.0");
        return app.MapGet("/", () => TypedResults.Ok(info))
            .WithName("GetServiceInfo")
            .WithTags("Service")
            .WithSummary("The service's name and version.")
            .WithDescription("Anonymous. Which service answers and which build it runs, e.g. to check a deployment.");
    }
}
