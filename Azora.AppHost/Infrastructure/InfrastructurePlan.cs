using Microsoft.Extensions.Configuration;

namespace Azora.AppHost.Infrastructure;

/// <summary>
/// The infrastructure this run will use, decided from configuration and what the machine offers before any resource
/// is added, so that an impossible setup fails at once with a message instead of a resource that never turns healthy.
/// </summary>
public sealed record InfrastructurePlan(
    InfrastructureMode Mode,
    string DataDirectory,
    string? PostgresBinDirectory,
    LocalCacheServer CacheServer,
    string? CacheServerExecutable)
{
    public const string ModeSetting = "Azora:Infrastructure";
    public const string DataDirectorySetting = "Azora:DataDirectory";
    public const string PostgresBinSetting = "Azora:Postgres:BinDirectory";
    public const string CacheServerSetting = "Azora:Cache:Server";

    public static InfrastructurePlan Resolve(IConfiguration configuration, string repositoryRoot, bool isPublishMode, IMachineProbe machine)
    {
        var requested = ParseEnum(configuration[ModeSetting], InfrastructureMode.Auto, ModeSetting);
        var dataDirectory = DataDirectoryLocator.Resolve(configuration[DataDirectorySetting], repositoryRoot, machine);

        // Publishing describes the deployed shape (containers), whatever this machine can run.
        if (isPublishMode)
        {
            return new InfrastructurePlan(InfrastructureMode.Containers, dataDirectory, null, LocalCacheServer.Auto, null);
        }

        var mode = requested switch
        {
            InfrastructureMode.Auto => machine.ContainerRuntimeAnswers() ? InfrastructureMode.Containers : InfrastructureMode.Local,
            _ => requested,
        };

        return mode switch
        {
            InfrastructureMode.Local => ResolveLocal(configuration, dataDirectory, machine, cameFromAuto: requested == InfrastructureMode.Auto),
            InfrastructureMode.External => ResolveExternal(configuration, dataDirectory),
            _ => new InfrastructurePlan(mode, dataDirectory, null, LocalCacheServer.Auto, null),
        };
    }

    private static InfrastructurePlan ResolveLocal(IConfiguration configuration, string dataDirectory, IMachineProbe machine, bool cameFromAuto)
    {
        var configuredBin = configuration[PostgresBinSetting];
        var binDirectory = machine.FindPostgresBinDirectory(string.IsNullOrWhiteSpace(configuredBin) ? null : configuredBin);
        if (binDirectory is null)
        {
            var why = cameFromAuto
                ? "No container runtime answered ('docker info' failed) and no PostgreSQL server binaries were found"
                : "Local infrastructure was requested but no PostgreSQL server binaries were found";
            var where = string.IsNullOrWhiteSpace(configuredBin)
                ? "looked in /usr/lib/postgresql/*/bin and on the PATH"
                : $"{PostgresBinSetting} is '{configuredBin}', which has no 'postgres' and 'initdb'";
            throw new InfrastructureUnavailableException(
                $"{why} ({where}). Do one of: install PostgreSQL (Debian: apt-get install postgresql); start Docker; " +
                $"set {PostgresBinSetting} to the folder holding 'postgres' and 'initdb'; or set Azora__Infrastructure=external " +
                "with ConnectionStrings__azora and ConnectionStrings__cache pointing at existing servers.");
        }

        var cacheServer = ParseEnum(configuration[CacheServerSetting], LocalCacheServer.Auto, CacheServerSetting);
        var redisServer = machine.FindOnPath("redis-server");
        switch (cacheServer)
        {
            case LocalCacheServer.Redis when redisServer is null:
                throw new InfrastructureUnavailableException(
                    $"{CacheServerSetting} is 'redis' but no redis-server is on the PATH. Install it (Debian: apt-get install redis-server) or set {CacheServerSetting}=garnet.");
            case LocalCacheServer.Auto:
                cacheServer = redisServer is null ? LocalCacheServer.Garnet : LocalCacheServer.Redis;
                break;
        }

        var executable = cacheServer == LocalCacheServer.Redis ? redisServer! : machine.GarnetServerAssembly();
        return new InfrastructurePlan(InfrastructureMode.Local, dataDirectory, binDirectory, cacheServer, executable);
    }

    private static InfrastructurePlan ResolveExternal(IConfiguration configuration, string dataDirectory)
    {
        string[] missing = [.. new[] { "azora", "cache" }.Where(name => string.IsNullOrWhiteSpace(configuration.GetConnectionString(name)))];
        if (missing.Length > 0)
        {
            throw new InfrastructureUnavailableException(
                $"External infrastructure was requested but {string.Join(" and ", missing.Select(name => $"ConnectionStrings__{name}"))} " +
                "is not set. Give the connection strings of the existing PostgreSQL and Redis servers (user secrets or environment).");
        }

        return new InfrastructurePlan(InfrastructureMode.External, dataDirectory, null, LocalCacheServer.Auto, null);
    }

    private static T ParseEnum<T>(string? value, T fallback, string setting) where T : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }

        if (Enum.TryParse<T>(value, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(value, out _))
        {
            return parsed;
        }

        throw new InfrastructureUnavailableException(
            $"{setting} is '{value}'; use one of: {string.Join(", ", Enum.GetNames<T>().Select(name => name.ToLowerInvariant()))}.");
    }
}
