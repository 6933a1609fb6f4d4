using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using NpgsqlTypes;

namespace Azora.Contract.Events;

/// <summary>
/// Records domain events in <c>outbox_events</c> inside the caller's transaction, so an event exists exactly when the
/// change that caused it was committed. Both services write events here (only events of <see cref="AzoraEvents"/>);
/// the payments worker's relay alone marks them dispatched.
/// </summary>
public sealed class OutboxWriter(TimeProvider timeProvider)
{
    public Task<OutboxEvent> AppendAsync<TPayload>(
        NpgsqlTransaction transaction, AzoraEvent<TPayload> @event, TPayload payload, CancellationToken cancellationToken = default)
        where TPayload : notnull =>
        AppendAsync(transaction, @event.Name, payload, cancellationToken);

    /// <summary>Several events in one statement (a batch of Stripe events), in the order given.</summary>
    public async Task AppendManyAsync(
        NpgsqlTransaction transaction, IReadOnlyList<(AzoraEvent Event, object Payload)> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        if (events.Count == 0)
        {
            return;
        }

        var now = timeProvider.GetUtcNow();
        await using var command = new NpgsqlCommand(
            """
            INSERT INTO outbox_events (id, type, payload, occurred_at)
            SELECT id, type, payload, @occurred_at FROM unnest(@ids, @types, @payloads) AS e (id, type, payload)
            """,
            transaction.Connection,
            transaction);
        command.Parameters.AddWithValue("ids", events.Select(_ => Guid.CreateVersion7(now)).ToArray());
        command.Parameters.AddWithValue("types", events.Select(@event => @event.Event.Name).ToArray());
        command.Parameters.AddWithValue(
            "payloads", NpgsqlDbType.Array | NpgsqlDbType.Jsonb,
            events.Select(@event => JsonSerializer.Serialize(@event.Payload, @event.Payload.GetType(), JsonSerializerOptions.Web)).ToArray());
        command.Parameters.AddWithValue("occurred_at", now);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Any type and payload; for tests of the table itself (services write the typed events above).</summary>
    internal async Task<OutboxEvent> AppendAsync(NpgsqlTransaction transaction, string type, object payload, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentException.ThrowIfNullOrWhiteSpace(type);

        var outboxEvent = new OutboxEvent(
            Guid.CreateVersion7(timeProvider.GetUtcNow()),
            type,
            JsonSerializer.SerializeToElement(payload, payload.GetType(), JsonSerializerOptions.Web),
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

public static class OutboxRegistration
{
    /// <summary>The <see cref="OutboxWriter"/>; registering it twice is harmless.</summary>
    public static IServiceCollection AddOutbox(this IServiceCollection services)
    {
        services.TryAddSingleton<OutboxWriter>();
        return services;
    }
}
