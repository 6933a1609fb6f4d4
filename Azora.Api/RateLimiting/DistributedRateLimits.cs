using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Azora.Api.RateLimiting;

/// <summary>A limit's state after a request was counted: what the X-RateLimit-* headers report.</summary>
public sealed record RateLimitState(bool Allowed, long Limit, long Remaining, long ResetUnixSeconds, int RetryAfterSeconds);

/// <summary>
/// Fixed-window limits kept in Redis, so every API replica counts against the same numbers. Each replica takes
/// permits from the shared counters in blocks (<see cref="WindowLeases"/>), so most requests are counted in memory
/// without a round trip; the strict limits take one permit at a time, exactly as counted in Redis. When Redis cannot be
/// reached, the general limits let the request through (fail open: refusing every request while the cache is away
/// would be the bigger outage; logged and counted in <c>azora.ratelimit.fail_open</c>), while the strict limits that
/// guard passwords (<see cref="RateLimitPolicies.IsStrict"/>) are counted in this replica's memory instead (counted in
/// <c>azora.ratelimit.local_fallback</c>), so an outage never opens the door to password guessing; with N replicas an
/// attacker gets at most N times the limit.
/// </summary>
public sealed class DistributedRateLimits : IDisposable
{
    public const string MeterName = "Azora.Api.RateLimiting";

    private static readonly TimeSpan SweepInterval = TimeSpan.FromMinutes(1);

    private readonly Dictionary<string, WindowLeases> _leases;
    private readonly ConcurrentDictionary<string, PartitionedRateLimiter<string>> _localLimiters = new();
    private readonly RateLimitOptions _options;
    private readonly ILogger<DistributedRateLimits> _logger;
    private readonly TimeProvider _time;
    private readonly ITimer _sweep;
    private readonly Counter<long> _failOpen;
    private readonly Counter<long> _localFallback;
    private readonly Counter<long> _rejected;

    public DistributedRateLimits(IConnectionMultiplexer redis, IOptions<RateLimitOptions> options, IMeterFactory meters, ILogger<DistributedRateLimits> logger,
        TimeProvider time)
    {
        _time = time;
        _options = options.Value;
        _logger = logger;
        _leases = RateLimitPolicies.All.ToDictionary(policy => policy, policy =>
        {
            var limit = _options.For(policy);
            return new WindowLeases(redis, time, _options.KeyPrefix, policy, limit.PermitLimit, limit.Window, _options.LeaseSizeFor(policy));
        });
        var meter = meters.Create(MeterName);
        _failOpen = meter.CreateCounter<long>("azora.ratelimit.fail_open", description: "Requests let through because Redis was unreachable.");
        _localFallback = meter.CreateCounter<long>(
            "azora.ratelimit.local_fallback", description: "Requests counted by a strict limit in this replica's memory because Redis was unreachable.");
        _rejected = meter.CreateCounter<long>("azora.ratelimit.rejected", description: "Requests refused with 429, by policy.");
        _sweep = time.CreateTimer(_ => Sweep(), null, SweepInterval, SweepInterval);
    }

    /// <summary>
    /// Counts one request against the partition and says whether it may go on; null when limits are off, or when
    /// Redis could not be asked and the policy fails open.
    /// </summary>
    public async ValueTask<RateLimitState?> AcquireAsync(string policy, string partition)
    {
        if (!_options.Enabled)
        {
            return null;
        }

        try
        {
            return Counted(policy, await _leases[policy].AcquireAsync(partition));
        }
        // Anything the Redis call throws is the cache failing: besides RedisException and timeouts, a stalled socket
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

    /// <summary>Partitions of a policy that this replica keeps state for (blocks in hand, spent windows).</summary>
    internal int PartitionsHeld(string policy) => _leases[policy].Count;

    /// <summary>Forgets ended windows and partitions that hold nothing; runs every minute.</summary>
    internal void Sweep()
    {
        foreach (var leases in _leases.Values)
        {
            leases.Sweep();
        }
    }

    public void Dispose()
    {
        _sweep.Dispose();
        foreach (var limiter in _localLimiters.Values)
        {
            limiter.Dispose();
        }
    }

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
}
