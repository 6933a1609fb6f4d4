using Azora.Api.Common;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace Azora.Api.Auth.Tokens;

/// <summary>
/// Access tokens refused before they expire, shared by every API replica through Redis: a token id after logout,
/// and whole sessions (logout, password change, refresh-token reuse). Keys expire with the longest-lived token they
/// can refuse. If Redis cannot be reached, the session is looked up in PostgreSQL instead (revoked sessions are
/// recorded there too), so a logged-out session stays refused; only a single refused token id of a still-open session
/// would be missed, and that cannot happen because logout also closes its session.
/// </summary>
public sealed class TokenRevocations(
    IConnectionMultiplexer redis,
    NpgsqlDataSource database,
    IOptions<AuthOptions> options,
    TimeProvider time,
    AuthMetrics metrics,
    ILogger<TokenRevocations> logger)
{
    private static RedisKey TokenKey(string tokenId) => $"azora:auth:denied-token:{tokenId}";

    private static RedisKey SessionKey(Guid sessionId) => $"azora:auth:revoked-session:{sessionId:N}";

    public async Task RevokeTokenAsync(string tokenId, DateTimeOffset expiresAt)
    {
        var ttl = expiresAt - time.GetUtcNow() + TimeSpan.FromMinutes(1);
        if (ttl > TimeSpan.Zero)
        {
            await TryRedisAsync(db => db.StringSetAsync(TokenKey(tokenId), "1", ttl), "deny a token");
        }
    }

    /// <summary>Refuses every access token of these sessions that is still alive (callers close them in PostgreSQL).</summary>
    public async Task RevokeSessionsAsync(IEnumerable<Guid> sessionIds)
    {
        var ttl = options.Value.AccessTokenLifetime + TimeSpan.FromMinutes(1);
        foreach (var sessionId in sessionIds)
        {
            await TryRedisAsync(db => db.StringSetAsync(SessionKey(sessionId), "1", ttl), "revoke a session");
        }
    }

    public async Task<bool> IsRevokedAsync(string tokenId, Guid sessionId, CancellationToken cancellationToken)
    {
        try
        {
            redis.ThrowIfDisconnected();
            var found = await redis.GetDatabase().KeyExistsAsync([TokenKey(tokenId), SessionKey(sessionId)]);
            return found > 0;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            metrics.DenylistFallback();
            logger.LogWarning(ex, "Token denylist unreachable; checking session {SessionId} in PostgreSQL", sessionId);
            await using var connection = await database.OpenConnectionAsync(cancellationToken);
            return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT coalesce((SELECT revoked_at IS NOT NULL FROM auth_sessions WHERE id = @sessionId), true)",
                new { sessionId },
                cancellationToken: cancellationToken));
        }
    }

    private async Task TryRedisAsync(Func<IDatabase, Task> write, string what)
    {
        try
        {
            redis.ThrowIfDisconnected();
            await write(redis.GetDatabase());
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            // The session is closed in PostgreSQL, which the fallback above reads while Redis is away.
            metrics.DenylistFallback();
            logger.LogWarning(ex, "Token denylist unreachable; could not {What} in Redis", what);
        }
    }
}
