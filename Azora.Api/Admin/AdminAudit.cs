using System.Text.Json;
using Azora.Api.Common;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Azora.Api.Admin;

/// <summary>Who makes an administrative change: an admin (id and email), or the operator command (no id).</summary>
public sealed record AdminActor(Guid? Id, string Name, string? TraceId)
{
    public static AdminActor OperatorCommand { get; } = new(null, "operator (Azora.Api admin create)", null);
}

/// <summary>
/// The append-only log of administrative changes (<c>admin_audit</c>; the database refuses UPDATE, DELETE and
/// TRUNCATE). Rows are written inside the caller's transaction, so a change and its record commit or fail together.
/// </summary>
public sealed class AdminAudit(NpgsqlDataSource database, TimeProvider time)
{
    private const string Columns =
        """
        id AS Id, actor_id AS ActorId, actor AS Actor, action AS Action, target_user_id AS TargetUserId,
        before::text AS Before, after::text AS After, trace_id AS TraceId, occurred_at AS OccurredAt
        """;

    public async Task AppendAsync(
        NpgsqlTransaction transaction, AdminActor actor, string action, Guid? targetUserId, object? before, object? after, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO admin_audit (id, actor_id, actor, action, target_user_id, before, after, trace_id, occurred_at)
            VALUES (@id, @actorId, @actor, @action, @target, @before, @after, @traceId, @at)
            """,
            transaction.Connection,
            transaction);
        var now = time.GetUtcNow();
        command.Parameters.AddWithValue("id", Guid.CreateVersion7(now));
        command.Parameters.AddWithValue("actorId", (object?)actor.Id ?? DBNull.Value);
        command.Parameters.AddWithValue("actor", actor.Name);
        command.Parameters.AddWithValue("action", action);
        command.Parameters.AddWithValue("target", (object?)targetUserId ?? DBNull.Value);
        command.Parameters.AddWithValue("before", NpgsqlDbType.Jsonb, Json(before));
        command.Parameters.AddWithValue("after", NpgsqlDbType.Jsonb, Json(after));
        command.Parameters.AddWithValue("traceId", (object?)actor.TraceId ?? DBNull.Value);
        command.Parameters.AddWithValue("at", now);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Newest first.</summary>
    public async Task<PagedResponse<AuditEntryResponse>> ListAsync(PageRequest page, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT count(*) FROM admin_audit", cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM admin_audit ORDER BY occurred_at DESC, id DESC LIMIT @limit OFFSET @offset",
            new { limit = page.Limit, offset = page.Offset }, cancellationToken: cancellationToken));
        return PagedResponse<AuditEntryResponse>.Create(rows.Select(row => row.ToResponse()).ToList(), page, total);
    }

    private static object Json(object? value) => value is null ? DBNull.Value : JsonSerializer.Serialize(value, JsonSerializerOptions.Web);

    private sealed class Row
    {
        public Guid Id { get; init; }
        public Guid? ActorId { get; init; }
        public string Actor { get; init; } = "";
        public string Action { get; init; } = "";
        public Guid? TargetUserId { get; init; }
        public string? Before { get; init; }
        public string? After { get; init; }
        public string? TraceId { get; init; }
        public DateTime OccurredAt { get; init; }

        public AuditEntryResponse ToResponse() =>
            new(Id, ActorId, Actor, Action, TargetUserId, Parse(Before), Parse(After), TraceId, OccurredAt.AsUtcOffset());

        private static JsonElement? Parse(string? json) => json is null ? null : JsonSerializer.Deserialize<JsonElement>(json);
    }
}
