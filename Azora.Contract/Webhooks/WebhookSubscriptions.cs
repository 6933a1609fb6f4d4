using System.Security.Cryptography;
using System.Text.Json;
using Azora.Contract.Events;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Azora.Contract.Webhooks;

/// <summary>
/// The store of <c>webhook_subscriptions</c>, and the only code that writes it: the API through it creates, changes,
/// rotates and deletes its owners' subscriptions and queues pings (rows of <c>webhook_deliveries</c>); the payments
/// worker's relay through it records each delivery's effect on its subscription's health (<c>failing_since</c>, and
/// <c>active</c> / <c>disabled_reason</c> when it disables one). Every other row of <c>webhook_deliveries</c> is the
/// relay's own.
/// </summary>
public sealed class WebhookSubscriptions(NpgsqlDataSource database)
{
    private const string Columns =
        "id AS Id, url AS Url, events AS Events, description AS Description, active AS Active, disabled_reason AS DisabledReason, created_at AS CreatedAt";

    private const string DeliveryColumns =
        """
        id AS Id, event_id AS EventId, event_type AS EventType, outcome AS Outcome, attempt_count AS AttemptCount,
        last_status_code AS LastStatusCode, last_error AS LastError, next_attempt_at AS NextAttemptAt, created_at AS CreatedAt, delivered_at AS DeliveredAt
        """;

    /// <summary>A new subscription with a new signing secret, which is returned only here.</summary>
    public async Task<(WebhookSubscription Subscription, string Secret)> CreateAsync(
        Guid owner, string url, string[] events, string? description, DateTime now, CancellationToken cancellationToken)
    {
        var secret = NewSecret();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var created = await connection.QuerySingleAsync<WebhookSubscription>(new CommandDefinition(
            $"""
            INSERT INTO webhook_subscriptions (id, owner_id, url, events, description, secret, created_at, updated_at)
            VALUES (@id, @owner, @url, @events, @description, @secret, @now, @now) RETURNING {Columns}
            """,
            new { id = Guid.CreateVersion7(), owner, url, events = events.Distinct().ToArray(), description, secret, now },
            cancellationToken: cancellationToken));
        return (created, secret);
    }

    public async Task<IReadOnlyList<WebhookSubscription>> ListAsync(Guid owner, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<WebhookSubscription>(new CommandDefinition(
            $"SELECT {Columns} FROM webhook_subscriptions WHERE owner_id = @owner ORDER BY created_at", new { owner }, cancellationToken: cancellationToken))).AsList();
    }

    public async Task<WebhookSubscription?> FindAsync(Guid id, Guid owner, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await FindAsync(connection, id, owner, cancellationToken);
    }

    /// <summary>Changes what is given (null leaves a field as it is); <c>active: true</c> also clears the failure record.</summary>
    public async Task<WebhookSubscription?> UpdateAsync(
        Guid id, Guid owner, string? url, string[]? events, string? description, bool? active, DateTime now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<WebhookSubscription>(new CommandDefinition(
            $"""
            UPDATE webhook_subscriptions SET url = coalesce(@url, url), events = coalesce(@events, events),
                description = coalesce(@description, description), active = coalesce(@active, active),
                disabled_reason = CASE WHEN @active THEN NULL ELSE disabled_reason END,
                failing_since = CASE WHEN @active THEN NULL ELSE failing_since END, updated_at = @now
            WHERE id = @id AND owner_id = @owner RETURNING {Columns}
            """,
            new { id, owner, url, events = events?.Distinct().ToArray(), description, active, now }, cancellationToken: cancellationToken));
    }

    /// <summary>Removes the subscription and, by cascade, its delivery log; false when the owner has no such subscription.</summary>
    /// <summary>
    /// Deletes the subscription's deliveries first, then the subscription: the relay records an attempt in that order
    /// (delivery, then subscription), and taking the locks the other way round (the cascade) deadlocked with it.
    /// </summary>
    public async Task<bool> DeleteAsync(Guid id, Guid owner, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM webhook_deliveries
            WHERE subscription_id = (SELECT id FROM webhook_subscriptions WHERE id = @id AND owner_id = @owner)
            """,
            new { id, owner }, transaction, cancellationToken: cancellationToken));
        var deleted = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM webhook_subscriptions WHERE id = @id AND owner_id = @owner", new { id, owner }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return deleted > 0;
    }

    /// <summary>A new signing secret; the old one keeps signing deliveries until <paramref name="previousValidUntil"/>. Null when not found.</summary>
    public async Task<string?> RotateSecretAsync(Guid id, Guid owner, DateTimeOffset now, DateTimeOffset previousValidUntil, CancellationToken cancellationToken)
    {
        var secret = NewSecret();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rotated = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE webhook_subscriptions SET previous_secret = secret, previous_secret_expires_at = @until, secret = @secret, updated_at = @now
            WHERE id = @id AND owner_id = @owner
            """,
            new { id, owner, secret, until = previousValidUntil.UtcDateTime, now = now.UtcDateTime }, cancellationToken: cancellationToken));
        return rotated == 0 ? null : secret;
    }

    /// <summary>Queues a <c>ping</c> delivery to this subscription only; null when the owner has no such subscription.</summary>
    public async Task<WebhookDelivery?> QueuePingAsync(Guid id, Guid owner, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        if (await FindAsync(connection, id, owner, cancellationToken) is null)
        {
            return null;
        }

        var eventId = Guid.CreateVersion7();
        var envelope = JsonSerializer.Serialize(
            new { id = eventId, type = AzoraEvents.Ping.Name, createdAt = now, data = new Ping(id) }, JsonSerializerOptions.Web);
        return await connection.QuerySingleAsync<WebhookDelivery>(new CommandDefinition(
            $"""
            INSERT INTO webhook_deliveries (id, subscription_id, event_id, event_type, envelope, next_attempt_at, created_at, updated_at)
            VALUES (@deliveryId, @id, @eventId, @type, @envelope::jsonb, @now, @now, @now) RETURNING {DeliveryColumns}
            """,
            new { deliveryId = Guid.CreateVersion7(), id, eventId, type = AzoraEvents.Ping.Name, envelope, now = now.UtcDateTime },
            cancellationToken: cancellationToken));
    }

    /// <summary>A page of the delivery log, newest first, with the total; null when the owner has no such subscription.</summary>
    public async Task<(IReadOnlyList<WebhookDelivery> Page, long Total)?> ListDeliveriesAsync(
        Guid id, Guid owner, int limit, long offset, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        if (await FindAsync(connection, id, owner, cancellationToken) is null)
        {
            return null;
        }

        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM webhook_deliveries WHERE subscription_id = @id", new { id }, cancellationToken: cancellationToken));
        var rows = await connection.QueryAsync<WebhookDelivery>(new CommandDefinition(
            $"SELECT {DeliveryColumns} FROM webhook_deliveries WHERE subscription_id = @id ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset",
            new { id, limit, offset }, cancellationToken: cancellationToken));
        return (rows.AsList(), total);
    }

    /// <summary>
    /// What one delivery attempt says about its subscription, in the caller's transaction: a success clears
    /// <c>failing_since</c>; a failure starts it, and a subscription failing for longer than
    /// <paramref name="disableAfter"/> is disabled with the reason.
    /// </summary>
    public Task RecordDeliveryAsync(
        NpgsqlTransaction transaction, Guid subscriptionId, bool delivered, string? error, TimeSpan disableAfter, CancellationToken cancellationToken) =>
        transaction.Connection!.ExecuteAsync(new CommandDefinition(
            """
            UPDATE webhook_subscriptions SET
                failing_since = CASE WHEN @delivered THEN NULL ELSE coalesce(failing_since, now()) END,
                active = CASE WHEN NOT @delivered AND failing_since < now() - @disableAfter THEN false ELSE active END,
                disabled_reason = CASE WHEN NOT @delivered AND failing_since < now() - @disableAfter
                    THEN 'Deliveries have failed since ' || to_char(failing_since, 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || ': ' || @error
                    ELSE disabled_reason END
            WHERE id = @subscriptionId
              -- Only when something changes: an unconditional update locked the row for every delivery, so one partner's
              -- deliveries recorded their outcomes one at a time.
              AND CASE WHEN @delivered THEN failing_since IS NOT NULL ELSE failing_since IS NULL OR failing_since < now() - @disableAfter END
            """,
            new { subscriptionId, delivered, error, disableAfter }, transaction, cancellationToken: cancellationToken));

    private static async Task<WebhookSubscription?> FindAsync(NpgsqlConnection connection, Guid id, Guid owner, CancellationToken cancellationToken) =>
        await connection.QuerySingleOrDefaultAsync<WebhookSubscription>(new CommandDefinition(
            $"SELECT {Columns} FROM webhook_subscriptions WHERE id = @id AND owner_id = @owner", new { id, owner }, cancellationToken: cancellationToken));

    private static string NewSecret() => "whsec_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
}

public sealed class WebhookSubscription
{
    public Guid Id { get; init; }
    public string Url { get; init; } = "";
    public string[] Events { get; init; } = [];
    public string? Description { get; init; }
    public bool Active { get; init; }
    public string? DisabledReason { get; init; }
    public DateTime CreatedAt { get; init; }
}

public sealed class WebhookDelivery
{
    public Guid Id { get; init; }
    public Guid EventId { get; init; }
    public string EventType { get; init; } = "";
    public string Outcome { get; init; } = "";
    public int AttemptCount { get; init; }
    public int? LastStatusCode { get; init; }
    public string? LastError { get; init; }
    public DateTime? NextAttemptAt { get; init; }
    public DateTime CreatedAt { get; init; }
    public DateTime? DeliveredAt { get; init; }
}

public static class WebhookSubscriptionsRegistration
{
    public static IServiceCollection AddWebhookSubscriptions(this IServiceCollection services)
    {
        services.TryAddSingleton<WebhookSubscriptions>();
        return services;
    }
}
