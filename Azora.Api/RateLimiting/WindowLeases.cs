using System.Collections.Concurrent;
using Azora.Api.Common;
using StackExchange.Redis;

namespace Azora.Api.RateLimiting;

/// <summary>
/// One policy's fixed-window counters, shared by every replica in Redis and spent in blocks ("leases"): a replica
/// reserves up to <see cref="LeaseSize"/> permits of a partition's window in one atomic script, serves requests from
/// the block in memory, and tops the block up to <see cref="LeaseSize"/> in the background when a quarter is left
/// (or reserves a new one when it is spent). One reservation per partition is in flight at a time; concurrent requests
/// that find the block spent wait for it instead of each asking Redis.
/// </summary>
/// <remarks>
/// The shared counter never passes the limit, so all replicas together never admit more than the limit in a window.
/// The price is on the other side: permits another replica reserved and has not used yet are not available here, and
/// a replica never holds more than one block, so a request can be refused while the counter is short of the limit by
/// at most (replicas − 1) × lease. A replica that stops with an unused block loses it for the rest of the window in
/// the same way. Once a reservation finds the counter at the limit, the partition is refused here without asking
/// Redis until the window ends: the counter cannot fall within a window.
/// </remarks>
internal sealed class WindowLeases
{
    // Reserves up to ARGV[2] permits of the window in KEYS[1], starting the window (ARGV[3] ms) if there is none, and
    // answers what it granted, the counter after it, the window's remaining milliseconds, and whether it started it.
    private const string ReserveScript = """
        local used = tonumber(redis.call('GET', KEYS[1]) or '0')
        local ttl = redis.call('PTTL', KEYS[1])
        local started = 0
        if ttl < 0 then
          used = 0
          ttl = tonumber(ARGV[3])
          started = 1
          redis.call('SET', KEYS[1], 0, 'PX', ttl)
        end
        local granted = math.min(tonumber(ARGV[2]), tonumber(ARGV[1]) - used)
        if granted > 0 then
          used = redis.call('INCRBY', KEYS[1], granted)
        else
          granted = 0
        end
        return { granted, used, ttl, started }
        """;

    private readonly ConcurrentDictionary<string, Partition> _partitions = new(StringComparer.Ordinal);
    private readonly IConnectionMultiplexer _redis;
    private readonly TimeProvider _time;
    private readonly string _keyPrefix;
    private readonly long _windowMilliseconds;
    private readonly int _refillAt;

    public WindowLeases(IConnectionMultiplexer redis, TimeProvider time, string keyPrefix, string policy, long limit, TimeSpan window, int leaseSize)
    {
        _redis = redis;
        _time = time;
        _keyPrefix = $"{keyPrefix}:{policy}:";
        Limit = limit;
        _windowMilliseconds = (long)window.TotalMilliseconds;
        LeaseSize = leaseSize;
        // Blocks of four or more are refilled when a quarter is left; smaller ones (the strict limits' single permit)
        // only when spent, so a permit is never reserved for a request that has not come.
        _refillAt = leaseSize >= 4 ? leaseSize / 4 : -1;
    }

    public long Limit { get; }

    public int LeaseSize { get; }

    /// <summary>Partitions with local state: a block in hand, a reservation in flight, or a spent window.</summary>
    public int Count => _partitions.Count;

    /// <summary>Takes one permit of the partition's window; throws when Redis had to be asked and could not be.</summary>
    public async ValueTask<RateLimitState> AcquireAsync(string partition)
    {
        while (true)
        {
            var state = _partitions.GetOrAdd(partition, static _ => new Partition());
            TaskCompletionSource? reservation = null;
            long permits = LeaseSize;
            RateLimitState? answer = null;
            Task? pending = null;
            lock (state)
            {
                if (state.Evicted)
                {
                    continue;
                }

                var now = _time.GetTimestamp();
                if (now >= state.WindowEnds)
                {
                    state.EndWindow();
                }

                if (state.Available > 0)
                {
                    state.Available--;
                    answer = new RateLimitState(true, Limit, Math.Max(Limit - state.Used + state.Available, 0), state.ResetUnixSeconds, 0);
                    if (state.Available <= _refillAt && !state.Exhausted && state.Pending is null)
                    {
                        // Top the block up while it still serves, so requests do not stall for the round trip; the
                        // partition never holds more than one block.
                        reservation = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                        state.Pending = reservation.Task;
                        permits = LeaseSize - state.Available;
                    }
                }
                else if (state.Exhausted)
                {
                    answer = Refused(state, now);
                }
                else
                {
                    if (state.Pending is null)
                    {
                        reservation = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                        state.Pending = reservation.Task;
                    }

                    pending = state.Pending;
                }
            }

            if (answer is not null)
            {
                if (reservation is not null)
                {
                    // Not awaited: the request goes on while the top-up is in flight. Started here rather than queued
                    // to the thread pool, where under load it waited behind the requests it was meant to keep going.
                    _ = ReserveAsync(partition, state, reservation, permits);
                }

                return answer;
            }

            if (reservation is not null)
            {
                await ReserveAsync(partition, state, reservation, permits);
            }

            // Then take a permit from the block like every other waiter (or find it spent, and reserve again).
            await pending!;
        }
    }

    /// <summary>
    /// Forgets partitions whose window has ended or that hold nothing (no block, no reservation, not spent): their
    /// next request reserves afresh, and many client addresses do not pile up in memory.
    /// </summary>
    public void Sweep()
    {
        var now = _time.GetTimestamp();
        foreach (var (partition, state) in _partitions)
        {
            lock (state)
            {
                if (state.Pending is null && (now >= state.WindowEnds || (state.Available == 0 && !state.Exhausted)))
                {
                    state.Evicted = true;
                    _partitions.TryRemove(KeyValuePair.Create(partition, state));
                }
            }
        }
    }

    private async Task ReserveAsync(string partition, Partition state, TaskCompletionSource reservation, long permits)
    {
        try
        {
            _redis.ThrowIfDisconnected();
            var sentAt = _time.GetTimestamp();
            var sentAtUtc = _time.GetUtcNow();
            var result = (RedisResult[])(await _redis.GetDatabase().ScriptEvaluateAsync(
                ReserveScript, [(RedisKey)(_keyPrefix + partition)], [Limit, permits, _windowMilliseconds]))!;
            var (granted, used, remainingMilliseconds, started) = ((long)result[0], (long)result[1], (long)result[2], (long)result[3] == 1);
            lock (state)
            {
                if (started)
                {
                    // A top-up that reached Redis after the window ended: what was left of the old block is void.
                    state.EndWindow();
                }

                // Measured from when the script was sent, the window's end is never later here than in Redis: a block
                // is never spent in a window Redis has already closed.
                state.WindowEnds = sentAt + remainingMilliseconds * _time.TimestampFrequency / 1000;
                state.ResetUnixSeconds = (sentAtUtc.ToUnixTimeMilliseconds() + remainingMilliseconds + 999) / 1000;
                state.Available += granted;
                state.Used = used;
                state.Exhausted = used >= Limit;
                state.Pending = null;
            }

            reservation.SetResult();
        }
        catch (Exception ex)
        {
            lock (state)
            {
                state.Pending = null;
            }

            reservation.SetException(ex);
            // A refill nobody waits for fails quietly: the next request that finds the block spent asks again.
            _ = reservation.Task.Exception;
        }
    }

    private RateLimitState Refused(Partition state, long now)
    {
        var seconds = (int)Math.Clamp(Math.Ceiling(_time.GetElapsedTime(now, state.WindowEnds).TotalSeconds), 1, int.MaxValue);
        return new RateLimitState(false, Limit, 0, state.ResetUnixSeconds, seconds);
    }

    private sealed class Partition
    {
        /// <summary>Permits reserved by this replica and not used yet.</summary>
        public long Available;

        /// <summary>The shared counter after this replica's last reservation (every replica's reservations).</summary>
        public long Used;

        /// <summary>The counter was at the limit at the last reservation: refuse until the window ends.</summary>
        public bool Exhausted;

        /// <summary>When the window ends, in <see cref="TimeProvider.GetTimestamp"/> units; no window yet: long.MinValue.</summary>
        public long WindowEnds = long.MinValue;

        public long ResetUnixSeconds;

        public Task? Pending;

        public bool Evicted;

        public void EndWindow()
        {
            Available = 0;
            Used = 0;
            Exhausted = false;
        }
    }
}
