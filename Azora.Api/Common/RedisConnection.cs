using StackExchange.Redis;

namespace Azora.Api.Common;

public static class RedisConnection
{
    /// <summary>
    /// While the multiplexer reconnects, fails at once instead of waiting out a command timeout: the callers treat
    /// Redis as unavailable (fail open, fall back to PostgreSQL, or skip the cache).
    /// </summary>
    public static void ThrowIfDisconnected(this IConnectionMultiplexer redis)
    {
        if (!redis.IsConnected)
        {
            throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "Redis is not connected.");
        }
    }
}
