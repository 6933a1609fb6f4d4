using System.Diagnostics.Metrics;
using Dapper;
using Npgsql;
using NpgsqlTypes;
using StackExchange.Redis;

namespace Azora.Api.Common;

/// <summary>
/// Where reads that may lag go: the read connection (<c>ConnectionStrings:azora-read</c>, a streaming replica) when it
/// is configured and has caught up, otherwise the primary. Only anonymous, public reads ask for it (the catalog and
/// preview lessons); writes and whatever a caller must see right after their own write open the primary themselves.
/// <para>
/// A catalog write is followed by an eviction of the cached catalog, and the next reader caches what it reads for a
/// minute; read from a replica that has not replayed the write yet, that would be the old catalog again. So before the
/// eviction the writer notes the primary's WAL position (<see cref="WrittenAsync"/>) and tells the other API processes
/// over Redis; until the replica has replayed up to that position (<c>pg_last_wal_replay_lsn()</c>), these reads use the
/// primary. A replica that cannot be reached is skipped for <see cref="UnavailablePause"/>, reads going to the primary.
/// </para>
/// Counted in <c>azora.database.reads{database, reason}</c> when a read connection is configured.
/// </summary>
public sealed class ReadDatabase
{
    public const string MeterName = "Azora.Api.Database";

    /// <summary>The Redis channel that carries a write's WAL position to every API process.</summary>
    public static readonly RedisChannel WrittenChannel = RedisChannel.Literal("azora:read-replica:written");

    /// <summary>How long reads skip a replica that refused or timed out a connection before trying it again.</summary>
    public static readonly TimeSpan UnavailablePause = TimeSpan.FromSeconds(10);

    private readonly NpgsqlDataSource _primary;
    private readonly NpgsqlDataSource? _replica;
    private readonly IConnectionMultiplexer _redis;
    private readonly TimeProvider _time;
    private readonly ILogger<ReadDatabase> _logger;
    private readonly Counter<long> _reads;

    // The WAL position the replica must have replayed before it serves these reads again; 0 when nothing is pending.
    private ulong _required;
    private long _unavailableUntilTicks;

    // Until this process has read the primary's position at start (ReadReplicaListener), it cannot tell whether the
    // replica holds what was written before it subscribed, so it reads the primary.
    private volatile bool _positionKnown;

    public ReadDatabase(
        NpgsqlDataSource primary, IServiceProvider services, IConnectionMultiplexer redis, TimeProvider time, IMeterFactory meters,
        ILogger<ReadDatabase> logger)
    {
        _primary = primary;
        _replica = services.GetKeyedService<NpgsqlDataSource>(BackingServices.ReadDatabaseName);
        _redis = redis;
        _time = time;
        _logger = logger;
        _reads = meters.Create(MeterName).CreateCounter<long>(
            "azora.database.reads", description: "Reads that may lag, by the database that served them and why: replica, or primary while this process starts, the replica catches up or it is unavailable.");
    }

    public bool HasReplica => _replica is not null;

    /// <summary>A connection for a read that may lag behind the primary by the replica's replication delay.</summary>
    public async ValueTask<NpgsqlConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (_replica is null)
        {
            return await _primary.OpenConnectionAsync(cancellationToken);
        }

        if (_time.GetUtcNow().UtcTicks < Interlocked.Read(ref _unavailableUntilTicks))
        {
            return await PrimaryAsync("replica-unavailable", cancellationToken);
        }

        if (!_positionKnown)
        {
            return await PrimaryAsync("starting", cancellationToken);
        }

        var required = Interlocked.Read(ref _required);
        NpgsqlConnection? replica = null;
        try
        {
            replica = await _replica.OpenConnectionAsync(cancellationToken);
            if (required != 0 && !await HasReplayedAsync(replica, required, cancellationToken))
            {
                await replica.DisposeAsync();
                return await PrimaryAsync("catching-up", cancellationToken);
            }
        }
        catch (Exception ex)
        {
            // Also when the request is cancelled during the check: the connection goes back to the pool either way.
            if (replica is not null)
            {
                await replica.DisposeAsync();
            }

            if (ex is not NpgsqlException)
            {
                throw;
            }

            Interlocked.Exchange(ref _unavailableUntilTicks, (_time.GetUtcNow() + UnavailablePause).UtcTicks);
            _logger.LogWarning(ex, "The read replica is unavailable; public reads use the primary for the next {Pause}", UnavailablePause);
            return await PrimaryAsync("replica-unavailable", cancellationToken);
        }

        // Caught up: later reads need not ask again, unless a newer write has been noted meanwhile.
        if (required != 0)
        {
            Interlocked.CompareExchange(ref _required, 0, required);
        }

        _reads.Add(1, new("database", "replica"), new("reason", "replica"));
        return replica;
    }

    /// <summary>
    /// After a committed write that public reads must show (and before evicting the cache they are kept in): notes the
    /// primary's WAL position here and tells the other API processes, so none of them reads a replica older than it.
    /// </summary>
    public async ValueTask WrittenAsync(CancellationToken cancellationToken)
    {
        if (_replica is null)
        {
            return;
        }

        NpgsqlLogSequenceNumber position;
        try
        {
            position = await CurrentPositionAsync(cancellationToken);
        }
        catch (NpgsqlException ex)
        {
            // Unknown position: the primary serves these reads for a while rather than risk caching the old catalog.
            Interlocked.Exchange(ref _unavailableUntilTicks, (_time.GetUtcNow() + UnavailablePause).UtcTicks);
            _logger.LogWarning(ex, "Could not read the primary's WAL position; public reads use the primary for the next {Pause}", UnavailablePause);
            return;
        }

        Require(position);
        try
        {
            _redis.ThrowIfDisconnected();
            await _redis.GetSubscriber().PublishAsync(WrittenChannel, position.ToString());
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // Without Redis there is no shared cache to put a stale page in; each process's own copy lives seconds.
            _logger.LogWarning(ex, "Could not tell the other API processes about a write at {Position}", position);
        }
    }

    /// <summary>A position another API process wrote at (<see cref="WrittenChannel"/>).</summary>
    public void Receive(RedisValue message)
    {
        if (NpgsqlLogSequenceNumber.TryParse(message.ToString(), out var position))
        {
            Require(position);
        }
    }

    /// <summary>
    /// A process that has just started cannot know what was written before it subscribed, so it asks the replica to be
    /// as far as the primary is now before its first replica read.
    /// </summary>
    public async Task RequireCurrentPositionAsync(CancellationToken cancellationToken)
    {
        if (_replica is not null)
        {
            Require(await CurrentPositionAsync(cancellationToken));
            _positionKnown = true;
        }
    }

    private async Task<NpgsqlLogSequenceNumber> CurrentPositionAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _primary.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<NpgsqlLogSequenceNumber>(
            new CommandDefinition("SELECT pg_current_wal_lsn()", cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Whether the replica has replayed the primary's WAL up to <paramref name="required"/>. A server that is not a
    /// standby (a read-only role on the primary itself) answers null: it is the primary, so it has.
    /// </summary>
    private static async Task<bool> HasReplayedAsync(NpgsqlConnection replica, ulong required, CancellationToken cancellationToken)
    {
        var replayed = await replica.ExecuteScalarAsync<NpgsqlLogSequenceNumber?>(
            new CommandDefinition("SELECT pg_last_wal_replay_lsn()", cancellationToken: cancellationToken));
        return replayed is not { } position || (ulong)position >= required;
    }

    private void Require(NpgsqlLogSequenceNumber position)
    {
        var wanted = (ulong)position;
        var current = Interlocked.Read(ref _required);
        while (current < wanted)
        {
            var seen = Interlocked.CompareExchange(ref _required, wanted, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }

    private async Task<NpgsqlConnection> PrimaryAsync(string reason, CancellationToken cancellationToken)
    {
        _reads.Add(1, new("database", "primary"), new("reason", reason));
        return await _primary.OpenConnectionAsync(cancellationToken);
    }
}

/// <summary>
/// Hears the positions other API processes wrote at (<see cref="ReadDatabase.WrittenChannel"/>), and at start makes the
/// replica catch up with the primary before it serves. Runs only when a read connection is configured.
/// </summary>
public sealed class ReadReplicaListener(ReadDatabase reads, IConnectionMultiplexer redis, ILogger<ReadReplicaListener> logger) : BackgroundService
{
    private static readonly TimeSpan RetryPause = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // The client resubscribes by itself after a reconnection; only the first subscription needs a retry.
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await redis.GetSubscriber().SubscribeAsync(ReadDatabase.WrittenChannel, (_, message) => reads.Receive(message));
                break;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                logger.LogWarning(ex, "Could not subscribe to catalog writes; retrying");
                await Task.Delay(RetryPause, stoppingToken);
            }
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await reads.RequireCurrentPositionAsync(stoppingToken);
                logger.LogInformation("Public catalog reads use the read replica ({Connection}) once it has caught up with the primary",
                    BackingServices.ReadDatabaseName);
                return;
            }
            catch (NpgsqlException ex)
            {
                logger.LogWarning(ex, "Could not read the primary's WAL position; retrying");
                await Task.Delay(RetryPause, stoppingToken);
            }
        }
    }
}
