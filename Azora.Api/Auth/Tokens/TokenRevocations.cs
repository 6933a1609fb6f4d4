using Azora.Api.Common;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace Azora.Api.Auth.Tokens;

/// <summary>
/// Access tokens refused before they expire, shared by every API replica through Redis: a token id after logout,
/// and whole sessions (logout, password change, refresh-token reuse, session lifetime). Keys expire with the
/// longest-lived token they can refuse. PostgreSQL is the record (every revoked session has <c>revoked_at</c>); Redis is
/// a fast copy of its recent part, and this class never trusts a copy that may have missed something:
/// <list type="bullet">
/// <item>While Redis cannot be reached, the session is looked up in PostgreSQL instead, so a logged-out session stays
/// refused (only a single refused token id of a still-open session would be missed, and logout also closes its
/// session).</item>
/// <item>After a denylist write failed or the connection dropped (Redis may also have restarted empty), and when the
/// process starts, the copy is suspect: checks keep going to PostgreSQL until the denylist has been rebuilt from every
/// session revoked within the last access-token lifetime. So a logout during an outage is refused by every replica
/// after Redis returns too.</item>
/// </list>
/// </summary>
public sealed class TokenRevocations
{
    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(1);

    private readonly IConnectionMultiplexer _redis;
    private readonly NpgsqlDataSource _database;
    private readonly AuthOptions _options;
    private readonly TimeProvider _time;
    private readonly AuthMetrics _metrics;
    private readonly ILogger<TokenRevocations> _logger;
    private readonly SemaphoreSlim _rebuilding = new(1, 1);

    // Bumped whenever the Redis copy may have missed a revocation; the copy is trusted only once a rebuild that
    // started at the current generation has finished.
    private long _generation = 1;
    private long _rebuiltGeneration;

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
    }

    private static RedisKey TokenKey(string tokenId) => $"azora:auth:denied-token:{tokenId}";

    private static RedisKey SessionKey(Guid sessionId) => $"azora:auth:revoked-session:{sessionId:N}";

    public async Task RevokeTokenAsync(string tokenId, DateTimeOffset expiresAt)
    {
        var ttl = expiresAt - _time.GetUtcNow() + Margin;
        if (ttl > TimeSpan.Zero)
        {
            await TryRedisAsync(db => db.StringSetAsync(TokenKey(tokenId), "1", ttl), "deny a token");
        }
    }

    /// <summary>Refuses every access token of these sessions that is still alive (callers close them in PostgreSQL).</summary>
    public async Task RevokeSessionsAsync(IEnumerable<Guid> sessionIds)
    {
        var ttl = _options.AccessTokenLifetime + Margin;
        foreach (var sessionId in sessionIds)
        {
            await TryRedisAsync(db => db.StringSetAsync(SessionKey(sessionId), "1", ttl), "revoke a session");
        }
    }

    public async Task<bool> IsRevokedAsync(string tokenId, Guid sessionId, CancellationToken cancellationToken)
    {
        try
        {
            _redis.ThrowIfDisconnected();
            if (await IsTrustedAsync(cancellationToken))
            {
                var found = await _redis.GetDatabase().KeyExistsAsync([TokenKey(tokenId), SessionKey(sessionId)]);
                return found > 0;
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            MarkSuspect();
            _logger.LogWarning(ex, "Token denylist unreachable; checking session {SessionId} in PostgreSQL", sessionId);
        }

        _metrics.DenylistFallback();
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT coalesce((SELECT revoked_at IS NOT NULL FROM auth_sessions WHERE id = @sessionId), true)",
            new { sessionId },
            cancellationToken: cancellationToken));
    }

    /// <summary>Whether Redis holds every recent revocation, rebuilding it first when it may not (one rebuild at a time).</summary>
    private async Task<bool> IsTrustedAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Read(ref _rebuiltGeneration) == Interlocked.Read(ref _generation))
        {
            return true;
        }

        // Another request is rebuilding: this one asks PostgreSQL rather than wait.
        if (!await _rebuilding.WaitAsync(TimeSpan.Zero, cancellationToken))
        {
            return false;
        }

        try
        {
            var generation = Interlocked.Read(ref _generation);
            if (Interlocked.Read(ref _rebuiltGeneration) == generation)
            {
                return true;
            }

            await RebuildAsync(cancellationToken);
            Interlocked.Exchange(ref _rebuiltGeneration, generation);
            return Interlocked.Read(ref _generation) == generation;
        }
        finally
        {
            _rebuilding.Release();
        }
    }

    /// <summary>Writes every session revoked recently enough to still have live access tokens back into Redis.</summary>
    private async Task RebuildAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var reach = _options.AccessTokenLifetime + Margin;
        List<(Guid Id, DateTime RevokedAt)> revoked;
        await using (var connection = await _database.OpenConnectionAsync(cancellationToken))
        {
            revoked = (await connection.QueryAsync<(Guid Id, DateTime RevokedAt)>(new CommandDefinition(
                "SELECT id, revoked_at FROM auth_sessions WHERE revoked_at > @since",
                new { since = (now - reach).UtcDateTime },
                cancellationToken: cancellationToken))).AsList();
        }

        var db = _redis.GetDatabase();
        await Task.WhenAll(revoked.Select(session =>
        {
            var ttl = new DateTimeOffset(DateTime.SpecifyKind(session.RevokedAt, DateTimeKind.Utc)) + reach - now;
            return ttl > TimeSpan.Zero ? db.StringSetAsync(SessionKey(session.Id), "1", ttl) : Task.FromResult(true);
        }));
        _metrics.DenylistRebuilt();
        _logger.LogInformation("Token denylist rebuilt from PostgreSQL: {Sessions} recently revoked sessions", revoked.Count);
    }

    private void MarkSuspect() => Interlocked.Increment(ref _generation);

    private async Task TryRedisAsync(Func<IDatabase, Task> write, string what)
    {
        try
        {
            _redis.ThrowIfDisconnected();
            await write(_redis.GetDatabase());
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The session is closed in PostgreSQL, which is read until the denylist has been rebuilt from it.
            MarkSuspect();
            _metrics.DenylistFallback();
            _logger.LogWarning(ex, "Token denylist unreachable; could not {What} in Redis", what);
        }
    }
}
