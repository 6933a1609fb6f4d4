using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Threading.RateLimiting;
using Azora.Api.Common;
using Microsoft.Extensions.Options;
using RedisRateLimiting;
using StackExchange.Redis;

namespace Azora.Api.RateLimiting;

/// <summary>A limit's state after a request was counted: what the X-RateLimit-* headers report.</summary>
public sealed record RateLimitState(bool Allowed, long Limit, long Remaining, long ResetUnixSeconds, int RetryAfterSeconds);

/// <summary>
/// Fixed-window limits kept in Redis (RedisRateLimiting's atomic Lua script), so every API replica counts against
/// the same numbers. When Redis cannot be reached the request is let through (fail open): the limits protect the
/// service, and refusing every request while the cache is away would be the bigger outage. Each such request is
/// logged and counted in <c>azora.ratelimit.fail_open</c>.
/// </summary>
public sealed class DistributedRateLimits : IDisposable
{
    public const string MeterName = "Azora.Api.RateLimiting";

    private readonly ConcurrentDictionary<string, PartitionedRateLimiter<string>> _limiters = new();
    private readonly IConnectionMultiplexer _redis;
    private readonly RateLimitOptions _options;
    private readonly ILogger<DistributedRateLimits> _logger;
    private readonly Counter<long> _failOpen;
    private readonly Counter<long> _rejected;

    public DistributedRateLimits(IConnectionMultiplexer redis, IOptions<RateLimitOptions> options, IMeterFactory meters, ILogger<DistributedRateLimits> logger)
    {
        _redis = redis;
        _options = options.Value;
        _logger = logger;
        var meter = meters.Create(MeterName);
        _failOpen = meter.CreateCounter<long>("azora.ratelimit.fail_open", description: "Requests let through because Redis was unreachable.");
        _rejected = meter.CreateCounter<long>("azora.ratelimit.rejected", description: "Requests refused with 429, by policy.");
    }

    /// <summary>Counts <paramref name="permits"/> against the partition; null when limits are off or Redis could not be asked.</summary>
    public async Task<RateLimitState?> AcquireAsync(string policy, string partition, int permits = 1)
    {
        if (!_options.Enabled)
        {
            return null;
        }

        try
        {
            _redis.ThrowIfDisconnected();

            using var lease = await Limiter(policy).AcquireAsync($"{_options.KeyPrefix}:{policy}:{partition}", permits);
            var state = Read(lease);
            if (!state.Allowed)
            {
                _rejected.Add(1, new KeyValuePair<string, object?>("policy", policy));
            }

            return state;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _failOpen.Add(1, new KeyValuePair<string, object?>("policy", policy));
            _logger.LogWarning(ex, "Rate limit {Policy} not enforced: Redis unreachable", policy);
            return null;
        }
    }

    /// <summary>The partition's state without counting anything.</summary>
    public Task<RateLimitState?> PeekAsync(string policy, string partition) => AcquireAsync(policy, partition, permits: 0);

    public void Dispose()
    {
        foreach (var limiter in _limiters.Values)
        {
            limiter.Dispose();
        }
    }

    private PartitionedRateLimiter<string> Limiter(string policy) => _limiters.GetOrAdd(policy, name =>
    {
        var limit = _options.For(name);
        var limiterOptions = new RedisFixedWindowRateLimiterOptions
        {
            PermitLimit = limit.PermitLimit,
            Window = limit.Window,
            ConnectionMultiplexerFactory = () => _redis,
        };
        return PartitionedRateLimiter.Create<string, string>(key => RedisRateLimitPartition.GetFixedWindowRateLimiter(key, _ => limiterOptions));
    });

    private static RateLimitState Read(RateLimitLease lease)
    {
        var limit = Metadata(lease, RateLimitMetadataName.Limit.Name);
        var remaining = Metadata(lease, RateLimitMetadataName.Remaining.Name);
        var reset = Metadata(lease, RateLimitMetadataName.Reset.Name);
        var retryAfter = Metadata(lease, RateLimitMetadataName.RetryAfter.Name);
        return new RateLimitState(lease.IsAcquired, limit, remaining, reset, (int)Math.Max(retryAfter, 1));
    }

    private static long Metadata(RateLimitLease lease, string name) =>
        lease.TryGetMetadata(name, out var value) && value is not null ? Convert.ToInt64(value, CultureInfo.InvariantCulture) : 0;
}
