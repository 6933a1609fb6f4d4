using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Azora.Contract.Outbox;

/// <summary>
/// Records domain events in <c>outbox_events</c> inside the caller's transaction, so an event exists exactly when the
/// change that caused it was committed.
/// </summary>
public sealed class OutboxWriter(TimeProvider timeProvider)
{
    public async Task<OutboxEvent> AppendAsync(NpgsqlTransaction transaction, string type, object payload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentException.ThrowIfNullOrWhiteSpace(type);

        var outboxEvent = new OutboxEvent(
            Guid.CreateVersion7(timeProvider.GetUtcNow()),
            type,
            JsonSerializer.SerializeToElement(payload, JsonSerializerOptions.Web),
            timeProvider.GetUtcNow());

        await using var command = new NpgsqlCommand(
            "INSERT INTO outbox_events (id, type, payload, occurred_at) VALUES (@id, @type, @payload, @occurred_at)",
            transaction.Connection,
            transaction);
        command.Parameters.AddWithValue("id", outboxEvent.Id);
        command.Parameters.AddWithValue("type", outboxEvent.Type);
        command.Parameters.AddWithValue("payload", NpgsqlDbType.Jsonb, outboxEvent.Payload.GetRawText());
        command.Parameters.AddWithValue("occurred_at", outboxEvent.OccurredAt);
        await command.ExecuteNonQueryAsync(cancellationToken);

        return outboxEvent;
    }
}
