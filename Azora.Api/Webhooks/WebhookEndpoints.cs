using System.Text.Json.Serialization;
using System.Security.Claims;
using Azora.Api.Auth;
using Azora.Api.Auth.ApiKeys;
using Azora.Api.Common;
using Azora.Api.Errors;
using Azora.Api.OpenApi;
using Azora.Contract.Events;
using Azora.Contract.Webhooks;
using Azora.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;

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
/// The payments worker delivers (see WebhookRelay there); the table is written through <see cref="WebhookSubscriptions"/>.
/// </summary>
public static class WebhookEndpoints
{
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
        WebhookWriteRequest request, ClaimsPrincipal user, WebhookSubscriptions store, WebhookTargetGuard targets, TimeProvider time, CancellationToken ct)
    {
        var errors = await ValidateAsync(request, targets, creating: true, ct);
        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        var (created, secret) = await store.CreateAsync(Owner(user), request.Url!, request.Events!, request.Description, time.GetUtcNow().UtcDateTime, ct);
        return TypedResults.Created($"/api/webhooks/{created.Id}", ToResponse(created, secret));
    }

    private static async Task<Ok<WebhookResponse[]>> ListAsync(ClaimsPrincipal user, WebhookSubscriptions store, CancellationToken ct) =>
        TypedResults.Ok((await store.ListAsync(Owner(user), ct)).Select(row => ToResponse(row, null)).ToArray());

    private static async Task<IResult> GetAsync(Guid id, ClaimsPrincipal user, WebhookSubscriptions store, CancellationToken ct) =>
        await store.FindAsync(id, Owner(user), ct) is { } row ? TypedResults.Ok(ToResponse(row, null)) : NotFound();

    private static async Task<IResult> UpdateAsync(
        Guid id, WebhookWriteRequest request, ClaimsPrincipal user, WebhookSubscriptions store, WebhookTargetGuard targets, TimeProvider time, CancellationToken ct)
    {
        var errors = await ValidateAsync(request, targets, creating: false, ct);
        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        var row = await store.UpdateAsync(
            id, Owner(user), request.Url, request.Events, request.Description, request.Active, time.GetUtcNow().UtcDateTime, ct);
        return row is null ? NotFound() : TypedResults.Ok(ToResponse(row, null));
    }

    private static async Task<IResult> DeleteAsync(Guid id, ClaimsPrincipal user, WebhookSubscriptions store, CancellationToken ct) =>
        await store.DeleteAsync(id, Owner(user), ct) ? TypedResults.NoContent() : NotFound();

    private static async Task<IResult> RotateAsync(
        Guid id, ClaimsPrincipal user, WebhookSubscriptions store, IConfiguration configuration, TimeProvider time, CancellationToken ct)
    {
        var grace = configuration.GetValue("Azora:Webhooks:SecretRotationGrace", TimeSpan.FromHours(24));
        var now = time.GetUtcNow();
        var until = now + grace;
        var secret = await store.RotateSecretAsync(id, Owner(user), now, until, ct);
        return secret is null ? NotFound() : TypedResults.Ok(new RotatedSecretResponse(secret, until));
    }

    private static async Task<IResult> PingAsync(Guid id, ClaimsPrincipal user, WebhookSubscriptions store, TimeProvider time, CancellationToken ct) =>
        await store.QueuePingAsync(id, Owner(user), time.GetUtcNow(), ct) is { } delivery
            ? TypedResults.Accepted($"/api/webhooks/{id}/deliveries", ToResponse(delivery))
            : NotFound();

    private static async Task<IResult> DeliveriesAsync(
        Guid id, ClaimsPrincipal user, WebhookSubscriptions store, CancellationToken ct, string? page = null, string? limit = null)
    {
        var errors = new Dictionary<string, string[]>();
        var paging = PageRequest.Parse(page, limit, errors);
        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        if (await store.ListDeliveriesAsync(id, Owner(user), paging!.Limit, paging.Offset, ct) is not { } found)
        {
            return NotFound();
        }

        return TypedResults.Ok(PagedResponse<DeliveryResponse>.Create(found.Page.Select(ToResponse).ToList(), paging, found.Total));
    }

    private static async Task<Dictionary<string, string[]>> ValidateAsync(WebhookWriteRequest request, WebhookTargetGuard targets, bool creating, CancellationToken ct)
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
            if (request.Events is not { Length: > 0 } || request.Events.Any(name => !AzoraEvents.Names.Contains(name)))
            {
                errors["events"] = [$"Name one or more of: {string.Join(", ", AzoraEvents.Names)}."];
            }
        }

        if (request.Description is { Length: > 500 })
        {
            errors["description"] = ["Use at most 500 characters."];
        }

        return errors;
    }

    private static Guid Owner(ClaimsPrincipal user) => CurrentUser.UserIdOf(user)!.Value;

    private static ProblemHttpResult NotFound() => ApiProblems.NotFound("No such webhook subscription.");

    private static WebhookResponse ToResponse(WebhookSubscription row, string? secret) =>
        new(row.Id, row.Url, row.Events, row.Description, row.Active, row.DisabledReason, row.CreatedAt.AsUtcOffset(), secret);

    private static DeliveryResponse ToResponse(WebhookDelivery row) => new(
        row.Id, row.EventId, row.EventType, row.Outcome, row.AttemptCount, row.LastStatusCode, row.LastError,
        row.NextAttemptAt.AsUtcOffset(), row.CreatedAt.AsUtcOffset(), row.DeliveredAt.AsUtcOffset());
}
