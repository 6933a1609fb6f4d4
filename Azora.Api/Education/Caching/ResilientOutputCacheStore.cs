using System.Diagnostics.Metrics;
using Microsoft.AspNetCore.OutputCaching;
using StackExchange.Redis;

namespace Azora.Api.Education.Caching;

/// <summary>
/// The Redis output-cache store, made safe to lose: when Redis cannot be reached a lookup is a miss and a write or
/// eviction is skipped (logged and counted), so responses come from the database, slower, but never fail. It also
/// counts hits and misses: <c>azora_cache_lookups_total{result}</c> and the ratio <c>azora_cache_hit_ratio</c>.
/// </summary>
public sealed class ResilientOutputCacheStore : IOutputCacheStore
{
    public const string MeterName = "Azora.Api.Cache";

    private readonly IOutputCacheStore _inner;
    private readonly IConnectionMultiplexer _redis;
    private readonly ILogger<ResilientOutputCacheStore> _logger;
    private readonly Counter<long> _lookups;
    private readonly Counter<long> _failures;
    private long _hits;
    private long _misses;

    public ResilientOutputCacheStore(IOutputCacheStore inner, IConnectionMultiplexer redis, IMeterFactory meters, ILogger<ResilientOutputCacheStore> logger)
    {
        _inner = inner;
        _redis = redis;
        _logger = logger;
        var meter = meters.Create(MeterName);
        _lookups = meter.CreateCounter<long>("azora.cache.lookups", description: "Response-cache lookups by result: hit, miss, error.");
        _failures = meter.CreateCounter<long>("azora.cache.failures", description: "Response-cache operations that found Redis unreachable.");
        meter.CreateObservableGauge("azora.cache.hit_ratio", HitRatio, description: "Hits / (hits + misses) since the process started.");
    }

    public double HitRatio()
    {
        var hits = Interlocked.Read(ref _hits);
        var total = hits + Interlocked.Read(ref _misses);
        return total == 0 ? 1 : (double)hits / total;
    }

    public async ValueTask<byte[]?> GetAsync(string key, CancellationToken cancellationToken)
    {
        try
        {
            EnsureConnected();
            var value = await _inner.GetAsync(key, cancellationToken);
            Interlocked.Increment(ref value is null ? ref _misses : ref _hits);
            _lookups.Add(1, new KeyValuePair<string, object?>("result", value is null ? "miss" : "hit"));
            return value;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Interlocked.Increment(ref _misses);
            _lookups.Add(1, new KeyValuePair<string, object?>("result", "error"));
            Failed(ex, "read");
            return null;
        }
    }

    public async ValueTask SetAsync(string key, byte[] value, string[]? tags, TimeSpan validFor, CancellationToken cancellationToken)
    {
        try
        {
            EnsureConnected();
            await _inner.SetAsync(key, value, tags, validFor, cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Failed(ex, "store");
        }
    }

    public async ValueTask EvictByTagAsync(string tag, CancellationToken cancellationToken)
    {
        try
        {
            EnsureConnected();
            await _inner.EvictByTagAsync(tag, cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Failed(ex, "evict");
        }
    }

    /// <summary>While the multiplexer reconnects, fail at once instead of waiting out a command timeout per request.</summary>
    private void EnsureConnected()
    {
        if (!_redis.IsConnected)
        {
            throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, "Redis is not connected.");
        }
    }

    private void Failed(Exception ex, string operation)
    {
        _failures.Add(1, new KeyValuePair<string, object?>("operation", operation));
        _logger.LogWarning(ex, "Response cache unavailable; could not {Operation}, serving from the database", operation);
    }
}
