using System.Collections.Concurrent;
using Azora.Api.Common;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace Azora.Api.Auth.Tokens;

/// <summary>
/// Sessions whose access tokens are refused before they expire (logout, password change or reset, refresh-token reuse,
/// session lifetime, account deletion, an admin's role change or disable), held in every replica's memory so a valid
/// token costs no network round trip. PostgreSQL is the record (every revoked session has <c>revoked_at</c>); the copy in
/// memory is kept complete like this, and never trusted while it may have missed something:
/// <list type="bullet">
/// <item>A revocation is recorded in PostgreSQL by the caller, then added here and published on the Redis channel
/// <see cref="Channel"/>; every replica (<see cref="TokenRevocationListener"/>) adds it when the message arrives.</item>
/// <item>On start and after every (re)connection to Redis, a replica first proves its subscription works (it publishes a
/// probe and waits for it to come back), then reloads every session revoked within the access-token lifetime from
/// PostgreSQL; only then does it trust its memory. Until then, and whenever the connection fails, a publish fails or a
/// probe does not come back, every check asks PostgreSQL instead.</item>
/// <item>Every <see cref="AuthOptions.RevocationRefreshInterval"/> each replica also reads the sessions revoked since its
/// last read, so a lost message (or a revocation written by hand in SQL) is refused everywhere within that interval.</item>
/// </list>
/// </summary>
public sealed class TokenRevocations
{
    public static readonly RedisChannel Channel = RedisChannel.Literal("azora:auth:revocations");

    private const string RevokedPrefix = "revoked:";
    private const string ProbePrefix = "probe:";
    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(1);

    private readonly IConnectionMultiplexer _redis;
    private readonly NpgsqlDataSource _database;
    private readonly AuthOptions _options;
    private readonly TimeProvider _time;
    private readonly AuthMetrics _metrics;
    private readonly ILogger<TokenRevocations> _logger;

    // Revoked session → when its last access token has expired (then the entry can go).
    private readonly ConcurrentDictionary<Guid, DateTimeOffset> _revoked = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _probes = new();
    private readonly SemaphoreSlim _wake = new(0, 1);

    // Bumped whenever memory may have missed a revocation; memory is trusted only while a reload that started at the
    // current generation has finished.
    private long _generation = 1;
    private long _trustedGeneration;

    public TokenRevocations(
        IConnectionMultiplexer redis,
        NpgsqlDataSource database,
        IOptions<AuthOptions> options,
        TimeProvider time,
        AuthMetrics metrics,
        ILogger<TokenRevocations> logger)
    {
        _redis = redis;
        _database = database;
        _options = options.Value;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _redis.ConnectionFailed += (_, _) => MarkSuspect();
        _redis.ConnectionRestored += (_, _) => Wake();
    }

    /// <summary>How long after its revocation a session can still have live access tokens.</summary>
    private TimeSpan Reach => _options.AccessTokenLifetime + Margin;

    internal bool IsTrusted => Interlocked.Read(ref _trustedGeneration) == Interlocked.Read(ref _generation);

    internal long Generation => Interlocked.Read(ref _generation);

    /// <summary>Refuses every access token of these sessions that is still alive (callers close them in PostgreSQL first).</summary>
    public async Task RevokeSessionsAsync(IEnumerable<Guid> sessions)
    {
        var sessionIds = sessions.ToList();
        if (sessionIds.Count == 0)
        {
            return;
        }

        var until = _time.GetUtcNow() + Reach;
        foreach (var sessionId in sessionIds)
        {
            _revoked[sessionId] = until;
        }

        try
        {
            _redis.ThrowIfDisconnected();
            await _redis.GetSubscriber().PublishAsync(Channel, RevokedPrefix + string.Join(',', sessionIds.Select(id => id.ToString("N"))));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // This replica reads PostgreSQL until it has reconnected and reloaded; the others read the revocation from
            // PostgreSQL at their next refresh.
            MarkSuspect();
            _metrics.DenylistFallback();
            _logger.LogWarning(ex, "Could not publish a session revocation on Redis; other replicas refuse it after their next refresh from PostgreSQL");
        }
    }

    /// <summary>Whether the session was revoked: from memory when it is trusted, otherwise from PostgreSQL.</summary>
    public ValueTask<bool> IsRevokedAsync(Guid sessionId, CancellationToken cancellationToken) =>
        IsTrusted ? ValueTask.FromResult(_revoked.ContainsKey(sessionId)) : new ValueTask<bool>(IsRevokedInDatabaseAsync(sessionId, cancellationToken));

    private async Task<bool> IsRevokedInDatabaseAsync(Guid sessionId, CancellationToken cancellationToken)
    {
        _metrics.DenylistFallback();
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT coalesce((SELECT revoked_at IS NOT NULL FROM auth_sessions WHERE id = @sessionId), true)",
            new { sessionId },
            cancellationToken: cancellationToken));
    }

    /// <summary>A message on <see cref="Channel"/>: revoked sessions, or a replica's probe.</summary>
    internal void Receive(RedisValue message)
    {
        var text = (string?)message;
        if (text is null)
        {
            return;
        }

        if (text.StartsWith(ProbePrefix, StringComparison.Ordinal))
        {
            if (_probes.TryRemove(text[ProbePrefix.Length..], out var probe))
            {
                probe.TrySetResult();
            }

            return;
        }

        if (text.StartsWith(RevokedPrefix, StringComparison.Ordinal))
        {
            var until = _time.GetUtcNow() + Reach;
            foreach (var part in text[RevokedPrefix.Length..].Split(','))
            {
                if (Guid.TryParseExact(part, "N", out var sessionId))
                {
                    _revoked[sessionId] = until;
                }
            }
        }
    }

    /// <summary>Publishes a probe and waits for it to come back through this replica's subscription.</summary>
    internal async Task<bool> ProbeAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var nonce = Guid.NewGuid().ToString("N");
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _probes[nonce] = received;
        try
        {
            _redis.ThrowIfDisconnected();
            await _redis.GetSubscriber().PublishAsync(Channel, ProbePrefix + nonce);
            await received.Task.WaitAsync(timeout, _time, cancellationToken);
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return false;
        }
        finally
        {
            _probes.TryRemove(nonce, out _);
        }
    }

    /// <summary>
    /// Adds every session revoked since <paramref name="since"/> (all that can still have live tokens when null), and
    /// forgets sessions whose tokens have all expired.
    /// </summary>
    internal async Task ReloadAsync(DateTimeOffset? since, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var from = since is { } start && start > now - Reach ? start : now - Reach;
        await using (var connection = await _database.OpenConnectionAsync(cancellationToken))
        {
            var revoked = await connection.QueryAsync<(Guid Id, DateTime RevokedAt)>(new CommandDefinition(
                "SELECT id, revoked_at FROM auth_sessions WHERE revoked_at > @from",
                new { from = from.UtcDateTime },
                cancellationToken: cancellationToken));
            foreach (var (id, revokedAt) in revoked)
            {
                _revoked[id] = new DateTimeOffset(DateTime.SpecifyKind(revokedAt, DateTimeKind.Utc)) + Reach;
            }
        }

        foreach (var (id, until) in _revoked)
        {
            if (until < now)
            {
                _revoked.TryRemove(new KeyValuePair<Guid, DateTimeOffset>(id, until));
            }
        }
    }

    /// <summary>Trusts memory if nothing was missed since <paramref name="generation"/> was read (before the probe and the reload).</summary>
    internal void Trust(long generation)
    {
        if (Interlocked.Read(ref _generation) == generation && Interlocked.Exchange(ref _trustedGeneration, generation) != generation)
        {
            _metrics.DenylistRebuilt();
            _logger.LogInformation("Token revocations reloaded from PostgreSQL and trusted: {Sessions} recently revoked sessions", _revoked.Count);
        }
    }

    internal void MarkSuspect()
    {
        Interlocked.Increment(ref _generation);
        Wake();
    }

    /// <summary>Waits until something changed (a reconnection, a failure) or <paramref name="timeout"/> passed.</summary>
    internal Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _wake.WaitAsync(timeout, cancellationToken);

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already awake.
        }
    }
}

/// <summary>
/// Subscribes to <see cref="TokenRevocations.Channel"/>, and keeps <see cref="TokenRevocations"/> trusted only while
/// the subscription is proven to work and memory has been reloaded since it last might not have.
/// </summary>
public sealed class TokenRevocationListener(
    TokenRevocations revocations, IConnectionMultiplexer redis, IOptions<AuthOptions> options, TimeProvider time, ILogger<TokenRevocationListener> logger)
    : BackgroundService
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RetryPause = TimeSpan.FromSeconds(1);

    // How far the periodic read looks back before the previous one began: revocations are stamped with their replica's
    // clock before they commit, so a slow commit or a clock a little behind is still read.
    private static readonly TimeSpan RefreshOverlap = TimeSpan.FromMinutes(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await SubscribeAsync(stoppingToken);
        DateTimeOffset? lastRead = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            var trusted = revocations.IsTrusted;
            try
            {
                var generation = revocations.Generation;
                var started = time.GetUtcNow();
                if (!await revocations.ProbeAsync(ProbeTimeout, stoppingToken))
                {
                    revocations.MarkSuspect();
                    trusted = false;
                }
                else
                {
                    await revocations.ReloadAsync(trusted ? lastRead - RefreshOverlap : null, stoppingToken);
                    lastRead = started;
                    revocations.Trust(generation);
                    trusted = revocations.IsTrusted;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // PostgreSQL unreachable: keep what memory holds (nothing can be revoked without PostgreSQL) and retry.
                logger.LogWarning(ex, "Could not read token revocations from PostgreSQL");
            }

            try
            {
                await revocations.WaitAsync(trusted ? options.Value.RevocationRefreshInterval : RetryPause, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private async Task SubscribeAsync(CancellationToken stoppingToken)
    {
        // The client resubscribes by itself after a reconnection; only the first subscription needs a retry.
        while (true)
        {
            try
            {
                await redis.GetSubscriber().SubscribeAsync(TokenRevocations.Channel, (_, message) => revocations.Receive(message));
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                logger.LogWarning(ex, "Could not subscribe to token revocations; checks read PostgreSQL until it can");
                await Task.Delay(RetryPause, time, stoppingToken);
            }
        }
    }
}
