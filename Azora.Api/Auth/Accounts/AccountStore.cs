using Dapper;
using Npgsql;

namespace Azora.Api.Auth.Accounts;

/// <summary>A user row. Settable properties rather than a constructor, so Dapper can map <c>text[]</c> to the roles.</summary>
public sealed record UserAccount
{
    public required Guid Id { get; init; }

    public required string Email { get; init; }

    public required string Name { get; init; }

    public string? Bio { get; init; }

    public required string PasswordHash { get; init; }

    public required string[] Roles { get; init; }

    public required DateTime CreatedAt { get; init; }

    /// <summary>When an admin disabled the account (it cannot sign in or refresh), or null.</summary>
    public DateTime? DisabledAt { get; init; }

    /// <summary>When the owner proved the address by following a verification link, or null (cannot pay yet).</summary>
    public DateTime? EmailVerifiedAt { get; init; }
}

public enum RefreshOutcome { Rotated, Unknown, Expired, Revoked, Reused, SessionExpired }

public sealed record RefreshResult(RefreshOutcome Outcome, Guid UserId, Guid SessionId);

/// <summary>Users, their sessions and refresh tokens in PostgreSQL.</summary>
public sealed class AccountStore(NpgsqlDataSource database)
{
    /// <summary>The columns of a <see cref="UserAccount"/>, for the account flows that read users inside a transaction of their own.</summary>
    internal const string UserColumns =
        "id AS Id, email AS Email, name AS Name, bio AS Bio, password_hash AS PasswordHash, roles AS Roles, created_at AS CreatedAt, disabled_at AS DisabledAt, email_verified_at AS EmailVerifiedAt";

    /// <summary>An account that can be used; a deleted one is as unknown as an address that never had one.</summary>
    public async Task<UserAccount?> FindByEmailAsync(string email, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<UserAccount>(new CommandDefinition(
            $"SELECT {UserColumns} FROM users WHERE lower(email) = lower(@email) AND deleted_at IS NULL", new { email }, cancellationToken: cancellationToken));
    }

    public async Task<UserAccount?> FindByIdAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<UserAccount>(new CommandDefinition(
            $"SELECT {UserColumns} FROM users WHERE id = @id AND deleted_at IS NULL", new { id }, cancellationToken: cancellationToken));
    }

    /// <summary>Sets the name and/or bio; a null argument leaves that field as it is.</summary>
    public async Task<UserAccount?> UpdateProfileAsync(Guid id, string? name, string? bio, DateTime now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<UserAccount>(new CommandDefinition(
            $"""
            UPDATE users
            SET name = coalesce(@name, name),
                bio = CASE WHEN @bio IS NULL THEN bio WHEN @bio = '' THEN NULL ELSE @bio END,
                updated_at = @now
            WHERE id = @id
            RETURNING {UserColumns}
            """,
            new { id, name, bio, now }, cancellationToken: cancellationToken));
    }

    /// <summary>Stores a new hash; <paramref name="passwordChanged"/> is false when only the hash format was upgraded.</summary>
    public async Task UpdatePasswordHashAsync(Guid id, string passwordHash, bool passwordChanged, DateTime now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE users
            SET password_hash = @passwordHash,
                password_changed_at = CASE WHEN @passwordChanged THEN @now ELSE password_changed_at END,
                updated_at = CASE WHEN @passwordChanged THEN @now ELSE updated_at END
            WHERE id = @id
            """,
            new { id, passwordHash, passwordChanged, now }, cancellationToken: cancellationToken));
    }

    public async Task StartSessionAsync(Guid userId, Guid sessionId, byte[] refreshTokenHash, DateTime now, DateTime refreshExpiresAt, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await InsertSessionAsync(connection, transaction, userId, sessionId, refreshTokenHash, now, refreshExpiresAt, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Exchanges a refresh token for a new one in the same session. A token that was already exchanged means two
    /// parties hold the session (one of them a thief): the whole session is closed and nobody gets a new token. A
    /// session older than <paramref name="sessionLifetime"/> is closed too; the new token never outlives its session.
    /// </summary>
    public async Task<RefreshResult> RotateAsync(
        byte[] presentedHash, byte[] newHash, DateTime now, TimeSpan refreshTokenLifetime, TimeSpan sessionLifetime, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var token = await connection.QuerySingleOrDefaultAsync<(Guid Id, Guid SessionId, Guid UserId, DateTime ExpiresAt, DateTime? RotatedAt, DateTime? RevokedAt, DateTime SessionStartedAt)>(
            new CommandDefinition(
                """
                SELECT t.id, t.session_id, s.user_id, t.expires_at, t.rotated_at, s.revoked_at, s.created_at
                FROM refresh_tokens t JOIN auth_sessions s ON s.id = t.session_id
                WHERE t.token_hash = @presentedHash
                FOR UPDATE OF t, s
                """,
                new { presentedHash }, transaction, cancellationToken: cancellationToken));

        if (token.Id == Guid.Empty)
        {
            return new RefreshResult(RefreshOutcome.Unknown, Guid.Empty, Guid.Empty);
        }

        RefreshOutcome outcome;
        if (token.RevokedAt is not null)
        {
            outcome = RefreshOutcome.Revoked;
        }
        else if (token.RotatedAt is not null)
        {
            await CloseSessionsAsync(connection, transaction, "id = @sessionId", new { sessionId = token.SessionId, now, reason = "refresh_token_reuse" }, cancellationToken);
            outcome = RefreshOutcome.Reused;
        }
        else if (token.SessionStartedAt + sessionLifetime <= now)
        {
            await CloseSessionsAsync(connection, transaction, "id = @sessionId", new { sessionId = token.SessionId, now, reason = "session_expired" }, cancellationToken);
            outcome = RefreshOutcome.SessionExpired;
        }
        else if (token.ExpiresAt <= now)
        {
            outcome = RefreshOutcome.Expired;
        }
        else
        {
            var sessionEnds = token.SessionStartedAt + sessionLifetime;
            var newExpiresAt = now + refreshTokenLifetime < sessionEnds ? now + refreshTokenLifetime : sessionEnds;
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE refresh_tokens SET rotated_at = @now WHERE id = @id", new { id = token.Id, now }, transaction, cancellationToken: cancellationToken));
            await InsertTokenAsync(connection, transaction, token.SessionId, newHash, now, newExpiresAt, cancellationToken);
            outcome = RefreshOutcome.Rotated;
        }

        await transaction.CommitAsync(cancellationToken);
        return new RefreshResult(outcome, token.UserId, token.SessionId);
    }

    public async Task RevokeSessionAsync(Guid sessionId, string reason, DateTime now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await CloseSessionsAsync(connection, null, "id = @sessionId", new { sessionId, now, reason }, cancellationToken);
    }

    /// <summary>Closes every open session of the user except one; returns the ones it closed.</summary>
    public async Task<IReadOnlyList<Guid>> RevokeOtherSessionsAsync(Guid userId, Guid keepSessionId, string reason, DateTime now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await CloseSessionsAsync(
            connection, null, "user_id = @userId AND id <> @keepSessionId", new { userId, keepSessionId, now, reason }, cancellationToken);
    }

    /// <summary>Closes every open session of the user inside the caller's transaction; returns the ones it closed.</summary>
    public static Task<IReadOnlyList<Guid>> RevokeAllSessionsAsync(
        NpgsqlTransaction transaction, Guid userId, string reason, DateTime now, CancellationToken cancellationToken) =>
        CloseSessionsAsync(transaction.Connection!, transaction, "user_id = @userId", new { userId, now, reason }, cancellationToken);

    private static async Task<IReadOnlyList<Guid>> CloseSessionsAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string where, object parameters, CancellationToken cancellationToken) =>
        (await connection.QueryAsync<Guid>(new CommandDefinition(
            $"UPDATE auth_sessions SET revoked_at = @now, revoke_reason = @reason WHERE {where} AND revoked_at IS NULL RETURNING id",
            parameters, transaction, cancellationToken: cancellationToken))).AsList();

    private static async Task InsertSessionAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid userId, Guid sessionId, byte[] refreshTokenHash,
        DateTime now, DateTime refreshExpiresAt, CancellationToken cancellationToken)
    {
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO auth_sessions (id, user_id, created_at) VALUES (@sessionId, @userId, @now)",
            new { sessionId, userId, now }, transaction, cancellationToken: cancellationToken));
        await InsertTokenAsync(connection, transaction, sessionId, refreshTokenHash, now, refreshExpiresAt, cancellationToken);
    }

    private static Task InsertTokenAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, Guid sessionId, byte[] tokenHash, DateTime now, DateTime expiresAt,
        CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO refresh_tokens (id, session_id, token_hash, created_at, expires_at)
            VALUES (@id, @sessionId, @tokenHash, @now, @expiresAt)
            """,
            new { id = Guid.CreateVersion7(), sessionId, tokenHash, now, expiresAt }, transaction, cancellationToken: cancellationToken));
}
