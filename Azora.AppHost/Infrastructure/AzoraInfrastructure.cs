using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Azora.AppHost.Infrastructure;

/// <summary>
/// The database and cache the services use, whatever provides them. Services reference <see cref="Database"/> and
/// <see cref="Cache"/> (connection strings <c>azora</c> and <c>cache</c>) and wait for the servers to be healthy.
/// </summary>
public sealed record AzoraInfrastructure(
    IResourceBuilder<IResourceWithConnectionString> Database,
    IResourceBuilder<IResource> DatabaseServer,
    IResourceBuilder<IResourceWithConnectionString> Cache,
    IResourceBuilder<IResource> CacheServer);

public static class AzoraInfrastructureExtensions
{
    public const string DatabaseName = "azora";
    public const string CacheName = "cache";

    public static AzoraInfrastructure AddAzoraInfrastructure(this IDistributedApplicationBuilder builder, InfrastructurePlan plan) =>
        plan.Mode switch
        {
            InfrastructureMode.Containers => AddContainers(builder),
            InfrastructureMode.Local => AddLocalProcesses(builder, plan),
            InfrastructureMode.External => AddExternal(builder),
            _ => throw new InfrastructureUnavailableException($"Unsupported infrastructure mode {plan.Mode}."),
        };

    private static AzoraInfrastructure AddContainers(IDistributedApplicationBuilder builder)
    {
        var postgres = builder.AddPostgres("postgres").WithDataVolume("azora-postgres-data");
        var database = postgres.AddDatabase(DatabaseName);
        var cache = builder.AddRedis(CacheName);
        return new AzoraInfrastructure(database, postgres, cache, cache);
    }

    private static AzoraInfrastructure AddLocalProcesses(IDistributedApplicationBuilder builder, InfrastructurePlan plan)
    {
        Directory.CreateDirectory(plan.DataDirectory);
        var runsAsRoot = Environment.IsPrivilegedProcess;
        builder.Eventing.Subscribe<BeforeStartEvent>((@event, _) =>
        {
            @event.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Azora.AppHost").LogInformation(
                "Local infrastructure: PostgreSQL from {BinDirectory}, cache server {CacheServer}, state in {DataDirectory}",
                plan.PostgresBinDirectory, plan.CacheServer, plan.DataDirectory);
            return Task.CompletedTask;
        });

        var postgres = builder.AddLocalPostgresServer("postgres", plan.PostgresBinDirectory!, plan.DataDirectory, runsAsRoot);
        var database = builder.AddConnectionString(DatabaseName, LocalPostgres.DatabaseConnectionString(postgres, DatabaseName));

        var cacheServer = builder.AddLocalCacheServer(
            plan.CacheServer == LocalCacheServer.Redis ? "redis" : "garnet", plan.CacheServer, plan.CacheServerExecutable!, plan.DataDirectory);
        var cache = builder.AddConnectionString(CacheName, LocalCache.ConnectionString(cacheServer));

        return new AzoraInfrastructure(database, postgres, cache, cacheServer);
    }

    private static AzoraInfrastructure AddExternal(IDistributedApplicationBuilder builder)
    {
        var database = builder.AddConnectionString(DatabaseName);
        var cache = builder.AddConnectionString(CacheName);

        builder.Services.AddHealthChecks()
            .AddNpgSql(_ => builder.Configuration.GetConnectionString(DatabaseName)!, name: "azora_external_check")
            .AddRedis(_ => builder.Configuration.GetConnectionString(CacheName)!, name: "cache_external_check");

        return new AzoraInfrastructure(
            database.WithHealthCheck("azora_external_check"), database,
            cache.WithHealthCheck("cache_external_check"), cache);
    }
}
