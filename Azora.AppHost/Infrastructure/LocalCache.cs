using Microsoft.Extensions.DependencyInjection;

namespace Azora.AppHost.Infrastructure;

/// <summary>
/// A Redis-protocol cache run by Aspire: <c>redis-server</c> where installed, otherwise Garnet (from the
/// <c>garnet-server</c> NuGet package, so nothing needs installing). In memory only: the cache holds nothing that the
/// database cannot rebuild.
/// </summary>
internal static class LocalCache
{
    public static IResourceBuilder<ExecutableResource> AddLocalCacheServer(
        this IDistributedApplicationBuilder builder, string name, LocalCacheServer server, string executable, string workingDirectory)
    {
        var resource = server == LocalCacheServer.Redis
            ? builder.AddExecutable(name, executable, workingDirectory, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
            : builder.AddExecutable(name, "dotnet", workingDirectory, executable, "--bind", "127.0.0.1", "--memory", "256m", "--index", "16m",
                // Rate limits run Lua scripts; transaction mode makes each script atomic, as on Redis.
                "--lua", "--lua-transaction-mode");

        resource.WithEndpoint(name: "tcp", scheme: "tcp").WithIconName("Memory");
        var endpoint = resource.GetEndpoint("tcp");
        resource.WithArgs(context =>
        {
            context.Args.Add("--port");
            context.Args.Add(endpoint.Property(EndpointProperty.TargetPort));
        });

        var healthCheckKey = $"{name}_server_check";
        builder.Services.AddHealthChecks().AddRedis(_ => $"{endpoint.Host}:{endpoint.Port}", name: healthCheckKey);
        return resource.WithHealthCheck(healthCheckKey);
    }

    public static ReferenceExpression ConnectionString(IResourceBuilder<ExecutableResource> server)
    {
        var endpoint = server.GetEndpoint("tcp");
        return ReferenceExpression.Create($"{endpoint.Property(EndpointProperty.Host)}:{endpoint.Property(EndpointProperty.Port)}");
    }
}
