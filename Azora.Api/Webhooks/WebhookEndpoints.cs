using System.Text.Json.Serialization;
using System.Security.Claims;
using System.Security.Cryptography;
using Azora.Api.Auth;
using Azora.Api.Auth.ApiKeys;
using Azora.Api.Common;
using Azora.Api.Errors;
using Azora.Api.OpenApi;
using Azora.Data.Webhooks;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace Azora.Api.Webhooks;

public sealed record WebhookWriteRequest(string? Url, string[]? Events, string? Description, bool? Active);

/// <summary>A subscription; <see cref="Secret"/> only in the answer that creates it, and left out elsewhere.</summary>
public sealed record WebhookResponse(
    Guid Id, string Url, string[] Events, string? Description, bool Active, string? DisabledReason, DateTimeOffset CreatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Secret);

public sealed record RotatedSecretResponse(string Secret, DateTimeOffset PreviousSecretValidUntil);

public sealed record DeliveryResponse(
    Guid Id, Guid EventId, string EventType, string Outcome, int AttemptCount, int? LastStatusCode, string? LastError,
    DateTimeOffset? NextAttemptAt, DateTimeOffset CreatedAt, DateTimeOffset? DeliveredAt);

/// <summary>
/// Partner webhook subscriptions. Admins may subscribe to every event; instructors to the events of their own
/// courses (deliveries are filtered by the event's instructor); others get 403. Someone else's subscription is 404.
/// The payments worker delivers (see WebhookRelay there).
/// </summary>
public static class WebhookEndpoints
{
    private const string Columns =
        "id AS Id, url AS Url, events AS Events, description AS Description, active AS Active, disabled_reason AS DisabledReason, created_at AS CreatedAt";

    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        var hooks = app.MapGroup("/api/webhooks").WithTags("Webhooks").WithApiConventions()
            .RequireAuthorization(Roles.Authors)
            .AcceptsApiKeys(ApiKeyScopes.WebhooksManage)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        hooks.MapPost("/", CreateAsync).WithName("CreateWebhook").WithSummary("Subscribes a URL to events; the signing secret is shown only here.")
            .Produces<WebhookResponse>(StatusCodes.Status201Created).ProducesValidationProblem();
        hooks.MapGet("/", ListAsync).WithName("ListWebhooks").WithSummary("My subscriptions.")
            .Produces<IReadOnlyList<WebhookResponse>>();
        hooks.MapGet("/{id:guid}", GetAsync).WithName("GetWebhook").WithSummary("One of my subscriptions.")
            .Produces<WebhookResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        hooks.MapPatch("/{id:guid}", UpdateAsync).WithName("UpdateWebhook").WithSummary("Changes url, events, description or active.")
            .Produces<WebhookResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        hooks.MapDelete("/{id:guid}", DeleteAsync).WithName("DeleteWebhook").WithSummary("Removes a subscription and its delivery log.")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        hooks.MapPost("/{id:guid}/rotate-secret", RotateAsync).WithName("RotateWebhookSecret")
            .WithSummary("A new signing secret; the old one also signs deliveries for the grace period.")
            .Produces<RotatedSecretResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        hooks.MapPost("/{id:guid}/ping", PingAsync).WithName("PingWebhook").WithSummary("Queues a ping event to this subscription.")
            .Produces<DeliveryResponse>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound);
        hooks.MapGet("/{id:guid}/deliveries", DeliveriesAsync).WithName("ListWebhookDeliveries").WithSummary("The delivery log, newest first.")
            .Produces<PagedResponse<DeliveryResponse>>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> CreateAsync(
        WebhookWriteRequest request, ClaimsPrincipal user, NpgsqlDataSource database, WebhookTargets targets, TimeProvider time, CancellationToken ct)
    {
        var errors = await ValidateAsync(request, targets, creating: true, ct);
        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        var secret = NewSecret();
        var now = time.GetUtcNow().UtcDateTime;
        await using var connection = await database.OpenConnectionAsync(ct);
        var created = await connection.QuerySingleAsync<Row>(new CommandDefinition(
            $"""
            INSERT INTO webhook_subscriptions (id, owner_id, url, events, description, secret, created_at, updated_at)
            VALUES (@id, @owner, @url, @events, @description, @secret, @now, @now) RETURNING {Columns}
            """,
            new { id = Guid.CreateVersion7(), owner = Owner(user), url = request.Url, events = request.Events!.Distinct().ToArray(), description = request.Description, secret, now },
            cancellationToken: ct));
        return TypedResults.Created($"/api/webhooks/{created.Id}", created.ToResponse(secret));
    }

    private static async Task<Ok<WebhookResponse[]>> ListAsync(ClaimsPrincipal user, NpgsqlDataSource database, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM webhook_subscriptions WHERE owner_id = @owner ORDER BY created_at", new { owner = Owner(user) }, cancellationToken: ct));
        return TypedResults.Ok(rows.Select(row => row.ToResponse(null)).ToArray());
    }

    private static async Task<IResult> GetAsync(Guid id, ClaimsPrincipal user, NpgsqlDataSource database, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        var row = await FindAsync(connection, id, user, ct);
        return row is null ? NotFound() : TypedResults.Ok(row.ToResponse(null));
    }

    private static async Task<IResult> UpdateAsync(
        Guid id, WebhookWriteRequest request, ClaimsPrincipal user, NpgsqlDataSource database, WebhookTargets targets, TimeProvider time, CancellationToken ct)
    {
        var errors = await ValidateAsync(request, targets, creating: false, ct);
        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        await using var connection = await database.OpenConnectionAsync(ct);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"""
            UPDATE webhook_subscriptions SET url = coalesce(@url, url), events = coalesce(@events, events),
                description = coalesce(@description, description), active = coalesce(@active, active),
                disabled_reason = CASE WHEN @active THEN NULL ELSE disabled_reason END,
                failing_since = CASE WHEN @active THEN NULL ELSE failing_since END, updated_at = @now
            WHERE id = @id AND owner_id = @owner RETURNING {Columns}
            """,
            new { id, owner = Owner(user), url = request.Url, events = request.Events?.Distinct().ToArray(), description = request.Description, active = request.Active, now = time.GetUtcNow().UtcDateTime },
            cancellationToken: ct));
        return row is null ? NotFound() : TypedResults.Ok(row.ToResponse(null));
    }

    private static async Task<IResult> DeleteAsync(Guid id, ClaimsPrincipal user, NpgsqlDataSource database, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        var deleted = await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM webhook_subscriptions WHERE id = @id AND owner_id = @owner", new { id, owner = Owner(user) }, cancellationToken: ct));
        return deleted == 0 ? NotFound() : TypedResults.NoContent();
    }

    private static async Task<IResult> RotateAsync(
        Guid id, ClaimsPrincipal user, NpgsqlDataSource database, IConfiguration configuration, TimeProvider time, CancellationToken ct)
    {
        var grace = configuration.GetValue("Azora:Webhooks:SecretRotationGrace", TimeSpan.FromHours(24));
        var secret = NewSecret();
        var now = time.GetUtcNow();
        var until = now + grace;
        await using var connection = await database.OpenConnectionAsync(ct);
        var rotated = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE webhook_subscriptions SET previous_secret = secret, previous_secret_expires_at = @until, secret = @secret, updated_at = @now
            WHERE id = @id AND owner_id = @owner
            """,
            new { id, owner = Owner(user), secret, until = until.UtcDateTime, now = now.UtcDateTime }, cancellationToken: ct));
        return rotated == 0 ? NotFound() : TypedResults.Ok(new RotatedSecretResponse(secret, until));
    }

    private static async Task<IResult> PingAsync(Guid id, ClaimsPrincipal user, NpgsqlDataSource database, TimeProvider time, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        if (await FindAsync(connection, id, user, ct) is null)
        {
            return NotFound();
        }

        var now = time.GetUtcNow();
        var eventId = Guid.CreateVersion7();
        var envelope = System.Text.Json.JsonSerializer.Serialize(new { id = eventId, type = "ping", createdAt = now, data = new { subscriptionId = id } });
        var delivery = await connection.QuerySingleAsync<DeliveryRow>(new CommandDefinition(
            $"""
            INSERT INTO webhook_deliveries (id, subscription_id, event_id, event_type, envelope, next_attempt_at, created_at, updated_at)
            VALUES (@deliveryId, @id, @eventId, 'ping', @envelope::jsonb, @now, @now, @now) RETURNING {DeliveryColumns}
            """,
            new { deliveryId = Guid.CreateVersion7(), id, eventId, envelope, now = now.UtcDateTime }, cancellationToken: ct));
        return TypedResults.Accepted($"/api/webhooks/{id}/deliveries", delivery.ToResponse());
    }

    private const string DeliveryColumns =
        """
        id AS Id, event_id AS EventId, event_type AS EventType, outcome AS Outcome, attempt_count AS AttemptCount,
        last_status_code AS LastStatusCode, last_error AS LastError, next_attempt_at AS NextAttemptAt, created_at AS CreatedAt, delivered_at AS DeliveredAt
        """;

    private static async Task<IResult> DeliveriesAsync(
        Guid id, ClaimsPrincipal user, NpgsqlDataSource database, CancellationToken ct, string? page = null, string? limit = null)
    {
        var errors = new Dictionary<string, string[]>();
        var paging = PageRequest.Parse(page, limit, errors);
        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        await using var connection = await database.OpenConnectionAsync(ct);
        if (await FindAsync(connection, id, user, ct) is null)
        {
            return NotFound();
        }

        var total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM webhook_deliveries WHERE subscription_id = @id", new { id }, cancellationToken: ct));
        var rows = await connection.QueryAsync<DeliveryRow>(new CommandDefinition(
            $"SELECT {DeliveryColumns} FROM webhook_deliveries WHERE subscription_id = @id ORDER BY created_at DESC, id DESC LIMIT @limit OFFSET @offset",
            new { id, limit = paging!.Limit, offset = paging.Offset }, cancellationToken: ct));
        return TypedResults.Ok(PagedResponse<DeliveryResponse>.Create(rows.Select(row => row.ToResponse()).ToList(), paging, total));
    }

    private static async Task<Dictionary<string, string[]>> ValidateAsync(WebhookWriteRequest request, WebhookTargets targets, bool creating, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Url is not null || creating)
        {
            if (targets.CheckUrl(request.Url) is { } urlError)
            {
                errors["url"] = [urlError];
            }
            else if (await targets.CheckHostAsync(new Uri(request.Url!).Host, ct) is { } hostError)
            {
                errors["url"] = [hostError];
            }
        }

        if (request.Events is not null || creating)
        {
            if (request.Events is not { Length: > 0 } || request.Events.Any(name => !WebhookTargets.Events.Contains(name)))
            {
                errors["events"] = [$"Name one or more of: {string.Join(", ", WebhookTargets.Events)}."];
            }
        }

        if (request.Description is { Length: > 500 })
        {
            errors["description"] = ["Use at most 500 characters."];
        }

        return errors;
    }

    private static async Task<Row?> FindAsync(NpgsqlConnection connection, Guid id, ClaimsPrincipal user, CancellationToken ct) =>
        await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM webhook_subscriptions WHERE id = @id AND owner_id = @owner", new { id, owner = Owner(user) }, cancellationToken: ct));

    private static Guid Owner(ClaimsPrincipal user) => CurrentUser.UserIdOf(user)!.Value;

    private static string NewSecret() => "whsec_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();

    private static ProblemHttpResult NotFound() => ApiProblems.NotFound("No such webhook subscription.");

    private sealed class Row
    {
        public Guid Id { get; init; }
        public string Url { get; init; } = "";
        public string[] Events { get; init; } = [];
        public string? Description { get; init; }
        public bool Active { get; init; }
        public string? DisabledReason { get; init; }
        public DateTime CreatedAt { get; init; }

        public WebhookResponse ToResponse(string? secret) =>
            new(Id, Url, Events, Description, Active, DisabledReason, CreatedAt.AsUtcOffset(), secret);
    }

    private sealed class DeliveryRow
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

        public DeliveryResponse ToResponse() => new(
            Id, EventId, EventType, Outcome, AttemptCount, LastStatusCode, LastError, NextAttemptAt.AsUtcOffset(), CreatedAt.AsUtcOffset(), DeliveredAt.AsUtcOffset());
    }
}
