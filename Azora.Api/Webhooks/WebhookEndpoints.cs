using System.ComponentModel.DataAnnotations;
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

/// <summary>A subscription's fields as the handlers validate them; null is unchanged.</summary>
public sealed record WebhookChanges(string? Url, string[]? Events, string? Description, bool? Active);

/// <summary>A new subscription: an https URL (plain http and private addresses only outside production) and its events.</summary>
public sealed record CreateWebhookRequest(
    [property: Required, MaxLength(WebhookEndpoints.MaximumUrlLength)] string? Url,
    [property: Required, MinLength(1), ClosedSet(typeof(AzoraEvents), nameof(AzoraEvents.Names))] string[]? Events,
    [property: MaxLength(WebhookEndpoints.MaximumDescriptionLength)] string? Description) : IOpenApiExample<CreateWebhookRequest>
{
    public static CreateWebhookRequest Example { get; } = new(
        "https://partner.example.org/azora/events", [AzoraEvents.PaymentSucceeded.Name, AzoraEvents.CourseEnrolled.Name], "Enrollment sync");

    public WebhookChanges ToChanges() => new(Url, Events, Description, null);
}

/// <summary>Changes to a subscription: a field left out or null is unchanged; <c>active: true</c> re-enables a disabled one.</summary>
public sealed record UpdateWebhookRequest(
    [property: MaxLength(WebhookEndpoints.MaximumUrlLength)] string? Url,
    [property: MinLength(1), ClosedSet(typeof(AzoraEvents), nameof(AzoraEvents.Names))] string[]? Events,
    [property: MaxLength(WebhookEndpoints.MaximumDescriptionLength)] string? Description,
    bool? Active) : IOpenApiExample<UpdateWebhookRequest>
{
    public static UpdateWebhookRequest Example { get; } = new(null, null, null, false);

    public WebhookChanges ToChanges() => new(Url, Events, Description, Active);
}

/// <summary>A subscription; <see cref="Secret"/> only in the answer that creates it, and left out elsewhere.</summary>
public sealed record WebhookResponse(
    Guid Id, string Url, [property: ClosedSet(typeof(AzoraEvents), nameof(AzoraEvents.Names))] string[] Events, string? Description,
    bool Active, string? DisabledReason, DateTimeOffset CreatedAt,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Secret);

public sealed record RotatedSecretResponse(string Secret, DateTimeOffset PreviousSecretValidUntil);

public sealed record DeliveryResponse(
    Guid Id, Guid EventId, [property: ClosedSet(typeof(AzoraEvents), nameof(AzoraEvents.Names))] string EventType,
    [property: ClosedSet(typeof(DeliveryResponse), nameof(DeliveryResponse.Outcomes))] string Outcome, int AttemptCount, int? LastStatusCode, string? LastError,
    DateTimeOffset? NextAttemptAt, DateTimeOffset CreatedAt, DateTimeOffset? DeliveredAt)
{
    /// <summary>Still being tried; accepted with a 2xx; given up after the last attempt.</summary>
    public static readonly string[] Outcomes = ["pending", "delivered", "failed"];
}

/// <summary>
/// Partner webhook subscriptions. Admins may subscribe to every event; instructors to the events of their own
/// courses (deliveries are filtered by the event's instructor); others get 403. Someone else's subscription is 404.
/// The payments worker delivers (see WebhookRelay there); the table is written through <see cref="WebhookSubscriptions"/>.
/// </summary>
public static class WebhookEndpoints
{
    public const int MaximumUrlLength = 2_000;
    public const int MaximumDescriptionLength = 500;

    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder app)
    {
        var hooks = app.MapGroup("/api/webhooks").WithTags("Webhooks")
            .RequireAuthorization(Roles.Authors)
            .AcceptsApiKeys(ApiKeyScopes.WebhooksManage)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        hooks.MapPost("/", CreateAsync).WithName("CreateWebhook").WithSummary("Subscribes a URL to events; the signing secret is shown only here.")
            .WithDescription("Instructors (events of their own courses) and admins (every event), or an API key with " +
                "`webhooks:manage`. Deliveries are signed with `Azora-Signature` using the secret in this answer.")
            .Produces<WebhookResponse>(StatusCodes.Status201Created).ProducesValidationProblem();
        hooks.MapGet("/", ListAsync).WithName("ListWebhooks").WithSummary("My subscriptions.")
            .WithDescription("Instructors and admins: their own subscriptions, without secrets.")
            .Produces<IReadOnlyList<WebhookResponse>>();
        hooks.MapGet("/{id:guid}", GetAsync).WithName("GetWebhook").WithSummary("One of my subscriptions.")
            .WithDescription("Someone else's subscription is 404.")
            .Produces<WebhookResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        hooks.MapPatch("/{id:guid}", UpdateAsync).WithName("UpdateWebhook").WithSummary("Changes url, events, description or active.")
            .WithDescription("A subscription the relay disabled after repeated failures is re-enabled with `active: true`.")
            .Produces<WebhookResponse>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        hooks.MapDelete("/{id:guid}", DeleteAsync).WithName("DeleteWebhook").WithSummary("Removes a subscription and its delivery log.")
            .WithDescription("Deliveries still pending are dropped.")
            .Produces(StatusCodes.Status204NoContent).ProducesProblem(StatusCodes.Status404NotFound);
        hooks.MapPost("/{id:guid}/rotate-secret", RotateAsync).WithName("RotateWebhookSecret")
            .WithSummary("A new signing secret; the old one also signs deliveries for the grace period.")
            .WithDescription("During the grace period (24 hours by default) every delivery carries two `v1` signatures, one per secret.")
            .Produces<RotatedSecretResponse>().ProducesProblem(StatusCodes.Status404NotFound);
        hooks.MapPost("/{id:guid}/ping", PingAsync).WithName("PingWebhook").WithSummary("Queues a ping event to this subscription.")
            .WithDescription("The relay delivers a signed `ping` event to this subscription only; follow it in the delivery log.")
            .Produces<DeliveryResponse>(StatusCodes.Status202Accepted).ProducesProblem(StatusCodes.Status404NotFound);
        hooks.MapGet("/{id:guid}/deliveries", DeliveriesAsync).WithName("ListWebhookDeliveries").WithSummary("The delivery log, newest first.")
            .WithDescription("Each delivery's outcome, attempts, last status code or error, and next attempt.")
            .Produces<PagedResponse<DeliveryResponse>>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    private static async Task<IResult> CreateAsync(
        CreateWebhookRequest body, ClaimsPrincipal user, WebhookSubscriptions store, WebhookTargetGuard targets, TimeProvider time, CancellationToken ct)
    {
        var request = body.ToChanges();
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
        Guid id, UpdateWebhookRequest body, ClaimsPrincipal user, WebhookSubscriptions store, WebhookTargetGuard targets, TimeProvider time, CancellationToken ct)
    {
        var request = body.ToChanges();
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

    private static async Task<Dictionary<string, string[]>> ValidateAsync(WebhookChanges request, WebhookTargetGuard targets, bool creating, CancellationToken ct)
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

        if (request.Description is { Length: > MaximumDescriptionLength })
        {
            errors["description"] = [$"Use at most {MaximumDescriptionLength} characters."];
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
