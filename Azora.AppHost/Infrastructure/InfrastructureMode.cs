namespace Azora.AppHost.Infrastructure;

/// <summary>Where PostgreSQL and the Redis-protocol cache come from (setting <c>Azora:Infrastructure</c>).</summary>
public enum InfrastructureMode
{
    /// <summary>Containers where a container runtime answers, local processes otherwise.</summary>
    Auto,

    /// <summary><c>AddPostgres</c>/<c>AddRedis</c> containers (needs Docker or Podman).</summary>
    Containers,

    /// <summary>PostgreSQL from the machine's binaries and redis-server or Garnet, run as processes by Aspire.</summary>
    Local,

    /// <summary>Existing servers, given as <c>ConnectionStrings:azora</c> and <c>ConnectionStrings:cache</c>.</summary>
    External,
}

/// <summary>Which Redis-protocol server local mode runs (setting <c>Azora:Cache:Server</c>).</summary>
public enum LocalCacheServer
{
    /// <summary><c>redis-server</c> when it is on the PATH, Garnet otherwise.</summary>
    Auto,
    Redis,
    Garnet,
}

/// <summary>The infrastructure cannot be provided as configured; the message says what to install or set.</summary>
public sealed class InfrastructureUnavailableException(string message) : Exception(message);
