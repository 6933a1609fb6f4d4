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
/// the same numbers. When Redis cannot be reached, the general limits let the request through (fail open: refusing
/// every request while the cache is away would be the bigger outage; logged and counted in
/// <c>azora.ratelimit.fail_open</c>), while the strict limits that guard passwords (<see cref="RateLimitPolicies.IsStrict"/>)
/// are counted in this replica's memory instead (counted in <c>azora.ratelimit.local_fallback</c>), so an outage never
/// opens the door to password guessing; with N replicas an attacker gets at most N times the limit.
/// </summary>
public sealed class DistributedRateLimits : IDisposable
{
    public const string MeterName = "Azora.Api.RateLimiting";

    private readonly ConcurrentDictionary<string, PartitionedRateLimiter<string>> _limiters = new();
    private readonly ConcurrentDictionary<string, PartitionedRateLimiter<string>> _localLimiters = new();
    private readonly IConnectionMultiplexer _redis;
    private readonly RateLimitOptions _options;
    private readonly ILogger<DistributedRateLimits> _logger;
    private readonly TimeProvider _time;
    private readonly Counter<long> _failOpen;
    private readonly Counter<long> _localFallback;
    private readonly Counter<long> _rejected;

    public DistributedRateLimits(IConnectionMultiplexer redis, IOptions<RateLimitOptions> options, IMeterFactory meters, ILogger<DistributedRateLimits> logger,
        TimeProvider time)
    {
        _redis = redis;
        _time = time;
        _options = options.Value;
        _logger = logger;
        var meter = meters.Create(MeterName);
        _failOpen = meter.CreateCounter<long>("azora.ratelimit.fail_open", description: "Requests let through because Redis was unreachable.");
        _localFallback = meter.CreateCounter<long>(
            "azora.ratelimit.local_fallback", description: "Requests counted by a strict limit in this replica's memory because Redis was unreachable.");
        _rejected = meter.CreateCounter<long>("azora.ratelimit.rejected", description: "Requests refused with 429, by policy.");
    }

    /// <summary>
    /// Counts one request against the partition and says whether it may go on; null when limits are off, or when
    /// Redis could not be asked and the policy fails open.
    /// </summary>
    public async Task<RateLimitState?> AcquireAsync(string policy, string partition)
    {
        if (!_options.Enabled)
        {
            return null;
        }

        try
        {
            _redis.ThrowIfDisconnected();

            using var lease = await Limiter(policy).AcquireAsync($"{_options.KeyPrefix}:{policy}:{partition}");
            return Counted(policy, Read(lease));
        }
        // Anything the Redis limiter throws is the cache failing: besides RedisException and timeouts, a stalled socket
        // surfaces as a cancellation or a completed pipe reader, and none of them may turn a request into a 500.
        catch (Exception ex) when (RateLimitPolicies.IsStrict(policy))
        {
            _localFallback.Add(1, new KeyValuePair<string, object?>("policy", policy));
            _logger.LogWarning(ex, "Rate limit {Policy} counted in this replica only: Redis unreachable", policy);
            return Counted(policy, AcquireLocally(policy, partition));
        }
        catch (Exception ex)
        {
            _failOpen.Add(1, new KeyValuePair<string, object?>("policy", policy));
            _logger.LogWarning(ex, "Rate limit {Policy} not enforced: Redis unreachable", policy);
            return null;
        }
    }

    public void Dispose()
    {
        foreach (var limiter in _limiters.Values.Concat(_localLimiters.Values))
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

    private RateLimitState Counted(string policy, RateLimitState state)
    {
        if (!state.Allowed)
        {
            _rejected.Add(1, new KeyValuePair<string, object?>("policy", policy));
        }

        return state;
    }

    /// <summary>The same fixed window, in this process (System.Threading.RateLimiting), for a strict policy during an outage.</summary>
    private RateLimitState AcquireLocally(string policy, string partition)
    {
        var limit = _options.For(policy);
        var limiter = _localLimiters.GetOrAdd(policy, _ => PartitionedRateLimiter.Create<string, string>(key =>
            RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = limit.PermitLimit,
                Window = limit.Window,
                QueueLimit = 0,
                AutoReplenishment = true,
            })));
        using var lease = limiter.AttemptAcquire(partition);
        var remaining = limiter.GetStatistics(partition)?.CurrentAvailablePermits ?? 0;
        // The local window's end is not exposed; a refusal knows how long to wait, an allowed request reports the
        // latest the window can end.
        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : limit.Window;
        var seconds = (int)Math.Max(Math.Ceiling(retryAfter.TotalSeconds), 1);
        return new RateLimitState(
            lease.IsAcquired, limit.PermitLimit, remaining, _time.GetUtcNow().ToUnixTimeSeconds() + seconds, seconds);
    }

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
