using Azora.Api.Common;
using Dapper;
using Npgsql;

namespace Azora.Api.Auth.ApiKeys;

public sealed record ApiKeyResponse(
    Guid Id, string Name, string Hint, [property: OpenApi.ClosedSet(typeof(ApiKeyScopes))] string[] Scopes, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? ExpiresAt);

/// <summary>The answer to a create: the key in full, which is never shown again.</summary>
public sealed record CreatedApiKeyResponse(
    Guid Id, string Name, string Key, string Hint, [property: OpenApi.ClosedSet(typeof(ApiKeyScopes))] string[] Scopes, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

/// <summary>A key found by its hash, with its owner's state read in the same query.</summary>
public sealed record ApiKeyOwner(
    Guid KeyId, Guid UserId, string Email, string UserName, string[] Roles, bool Disabled, string[] Scopes, DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt);

/// <summary>The <c>api_keys</c> table (migration 0010).</summary>
public sealed class ApiKeyStore(NpgsqlDataSource database, TimeProvider time)
{
    private const string Columns =
        "id AS Id, name AS Name, key_hint AS Hint, scopes AS Scopes, created_at AS CreatedAt, last_used_at AS LastUsedAt, expires_at AS ExpiresAt";

    public async Task<CreatedApiKeyResponse> CreateAsync(Guid owner, string name, string[] scopes, DateTimeOffset? expiresAt, CancellationToken ct)
    {
        var key = ApiKeyTokens.Create();
        await using var connection = await database.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleAsync<Row>(new CommandDefinition(
            $"""
            INSERT INTO api_keys (id, user_id, name, key_hash, key_hint, scopes, created_at, expires_at)
            VALUES (@id, @owner, @name, @hash, @hint, @scopes, @now, @expiresAt) RETURNING {Columns}
            """,
            new
            {
                id = Guid.CreateVersion7(), owner, name, hash = ApiKeyTokens.Hash(key), hint = ApiKeyTokens.Hint(key), scopes,
                now = time.GetUtcNow().UtcDateTime, expiresAt = expiresAt?.UtcDateTime,
            },
            cancellationToken: ct));
        return new CreatedApiKeyResponse(row.Id, row.Name, key, row.Hint, row.Scopes, row.CreatedAt.AsUtcOffset(), row.ExpiresAt.AsUtcOffset());
    }

    /// <summary>The owner's keys that are not revoked (expired ones too, with their expiry), oldest first.</summary>
    public async Task<ApiKeyResponse[]> ListAsync(Guid owner, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM api_keys WHERE user_id = @owner AND revoked_at IS NULL ORDER BY created_at, id",
            new { owner }, cancellationToken: ct));
        return rows.Select(row => new ApiKeyResponse(
            row.Id, row.Name, row.Hint, row.Scopes, row.CreatedAt.AsUtcOffset(), row.LastUsedAt.AsUtcOffset(), row.ExpiresAt.AsUtcOffset())).ToArray();
    }

    /// <summary>Revokes one of the owner's keys; false when there is no such live key. Replicas hear of it by NOTIFY.</summary>
    public async Task<bool> RevokeAsync(Guid owner, Guid id, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE api_keys SET revoked_at = @now WHERE id = @id AND user_id = @owner AND revoked_at IS NULL",
            new { id, owner, now = time.GetUtcNow().UtcDateTime }, cancellationToken: ct)) > 0;
    }

    public async Task<ApiKeyOwner?> FindAsync(byte[] hash, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<OwnerRow>(new CommandDefinition(
            """
            SELECT k.id AS KeyId, u.id AS UserId, u.email AS Email, u.name AS UserName, u.roles AS Roles, u.disabled_at IS NOT NULL AS Disabled,
                   k.scopes AS Scopes, k.expires_at AS ExpiresAt, k.revoked_at AS RevokedAt, k.last_used_at AS LastUsedAt
            FROM api_keys k JOIN users u ON u.id = k.user_id WHERE k.key_hash = @hash
            """,
            new { hash }, cancellationToken: ct));
        return row is null
            ? null
            : new ApiKeyOwner(row.KeyId, row.UserId, row.Email, row.UserName, row.Roles, row.Disabled, row.Scopes,
                row.ExpiresAt.AsUtcOffset(), row.RevokedAt.AsUtcOffset(), row.LastUsedAt.AsUtcOffset());
    }

    /// <summary>Records a use, at most once a minute per key (the condition keeps concurrent replicas from writing twice).</summary>
    public async Task TouchAsync(Guid keyId, DateTimeOffset now, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE api_keys SET last_used_at = @now WHERE id = @keyId AND (last_used_at IS NULL OR last_used_at < @now - interval '1 minute')",
            new { keyId, now = now.UtcDateTime }, cancellationToken: ct));
    }

    private sealed class Row
    {
        public Guid Id { get; init; }
        public string Name { get; init; } = "";
        public string Hint { get; init; } = "";
        public string[] Scopes { get; init; } = [];
        public DateTime CreatedAt { get; init; }
        public DateTime? LastUsedAt { get; init; }
        public DateTime? ExpiresAt { get; init; }
    }

    private sealed class OwnerRow
    {
        public Guid KeyId { get; init; }
        public Guid UserId { get; init; }
        public string Email { get; init; } = "";
        public string UserName { get; init; } = "";
        public string[] Roles { get; init; } = [];
        public bool Disabled { get; init; }
        public string[] Scopes { get; init; } = [];
        public DateTime? ExpiresAt { get; init; }
        public DateTime? RevokedAt { get; init; }
        public DateTime? LastUsedAt { get; init; }
    }
}
