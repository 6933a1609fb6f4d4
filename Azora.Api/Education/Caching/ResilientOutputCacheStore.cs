using System.Diagnostics.Metrics;
using Azora.Api.Common;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Azora.Api.Education.Caching;

/// <summary>
/// The Redis output-cache store, with a small in-process copy in front and made safe to lose.
/// <list type="bullet">
/// <item>Each replica keeps what it read or wrote for a few seconds (<see cref="EducationOptions.CatalogLocalCacheDuration"/>),
/// so a hot response costs no Redis round trip. An eviction clears this replica's copy at once and tells the others
/// through a Redis channel, so they clear theirs within moments.</item>
/// <item>When Redis cannot be reached a lookup is a miss and a write or eviction is skipped (logged and counted), so
/// responses come from the database, slower, but never fail.</item>
/// <item>It counts hits and misses: <c>azora_cache_lookups_total{result}</c> and the ratio <c>azora_cache_hit_ratio</c>.</item>
/// </list>
/// </summary>
public sealed class ResilientOutputCacheStore : IOutputCacheStore, IDisposable
{
    public const string MeterName = "Azora.Api.Cache";

    private static readonly RedisChannel EvictionChannel = RedisChannel.Literal("azora:output:evicted");

    private readonly MemoryCache _local = new(new MemoryCacheOptions { SizeLimit = 64 * 1024 * 1024 });
    private readonly TimeSpan _localLifetime;

    private readonly IOutputCacheStore _inner;
    private readonly IConnectionMultiplexer _redis;
    private readonly ILogger<ResilientOutputCacheStore> _logger;
    private readonly Counter<long> _lookups;
    private readonly Counter<long> _failures;
    private long _hits;
    private long _misses;

    public ResilientOutputCacheStore(
        IOutputCacheStore inner, IConnectionMultiplexer redis, IOptions<EducationOptions> options, IMeterFactory meters,
        ILogger<ResilientOutputCacheStore> logger)
    {
        _inner = inner;
        _redis = redis;
        _localLifetime = options.Value.CatalogLocalCacheDuration;
        try
        {
            // The multiplexer keeps the subscription and restores it after a reconnect.
            redis.GetSubscriber().Subscribe(EvictionChannel, (_, _) => _local.Clear());
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning(ex, "Could not subscribe to cache evictions; this replica's copies expire on their own");
        }

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
        if (_local.TryGetValue(key, out byte[]? local))
        {
            Count("hit");
            return local;
        }

        try
        {
            _redis.ThrowIfDisconnected();
            var value = await _inner.GetAsync(key, cancellationToken);
            Count(value is null ? "miss" : "hit");
            if (value is not null)
            {
                KeepLocally(key, value, _localLifetime);
            }

            return value;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Count("error");
            Failed(ex, "read");
            return null;
        }
    }

    public async ValueTask SetAsync(string key, byte[] value, string[]? tags, TimeSpan validFor, CancellationToken cancellationToken)
    {
        KeepLocally(key, value, validFor < _localLifetime ? validFor : _localLifetime);
        try
        {
            _redis.ThrowIfDisconnected();
            await _inner.SetAsync(key, value, tags, validFor, cancellationToken);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Failed(ex, "store");
        }
    }

    public async ValueTask EvictByTagAsync(string tag, CancellationToken cancellationToken)
    {
        // Only the catalog tag exists, so a tag eviction clears every local copy.
        _local.Clear();
        try
        {
            _redis.ThrowIfDisconnected();
            await _inner.EvictByTagAsync(tag, cancellationToken);
            await _redis.GetSubscriber().PublishAsync(EvictionChannel, tag);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Failed(ex, "evict");
        }
    }

    public void Dispose() => _local.Dispose();

    private void KeepLocally(string key, byte[] value, TimeSpan lifetime)
    {
        if (lifetime > TimeSpan.Zero)
        {
            _local.Set(key, value, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = lifetime, Size = value.Length });
        }
    }

    /// <summary>One lookup, in the counter by result and in the hit ratio (an error counts as a miss).</summary>
    private void Count(string result)
    {
        Interlocked.Increment(ref result == "hit" ? ref _hits : ref _misses);
        _lookups.Add(1, new KeyValuePair<string, object?>("result", result));
    }

    private void Failed(Exception ex, string operation)
    {
        _failures.Add(1, new KeyValuePair<string, object?>("operation", operation));
        _logger.LogWarning(ex, "Response cache unavailable; could not {Operation}, serving from the database", operation);
    }
}
