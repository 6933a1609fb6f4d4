using System.Text.Json;

namespace Azora.Client;

/// <summary>A verified webhook delivery: the event envelope Azora signed.</summary>
/// <param name="Id">The event's id; the same event can arrive more than once, so deduplicate on it.</param>
/// <param name="Type">The event type, such as <c>course.enrolled</c> (see <see cref="AzoraEventTypes"/>).</param>
/// <param name="CreatedAt">When the event happened.</param>
/// <param name="Data">The event's payload, whose members depend on <paramref name="Type"/>.</param>
public sealed record AzoraWebhookEvent(Guid Id, string Type, DateTimeOffset CreatedAt, JsonElement Data)
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>The payload read as <typeparamref name="T"/> (camelCase names, as the API writes them).</summary>
    public T? DataAs<T>() => Data.Deserialize<T>(Web);
}

/// <summary>The event types a subscription can list.</summary>
public static class AzoraEventTypes
{
    /// <summary>A course was paid for.</summary>
    public const string PaymentSuccess = "payment.success";

    /// <summary>A payment failed.</summary>
    public const string PaymentFailed = "payment.failed";

    /// <summary>A payment was refunded; its enrollment is revoked.</summary>
    public const string PaymentRefunded = "payment.refunded";

    /// <summary>A learner was enrolled.</summary>
    public const string CourseEnrolled = "course.enrolled";

    /// <summary>A learner completed every lesson of a course.</summary>
    public const string CourseCompleted = "course.completed";

    /// <summary>Sent by <see cref="AzoraClient.PingWebhookAsync"/> to that subscription only.</summary>
    public const string Ping = "ping";

    /// <summary>An admin changed a user's roles.</summary>
    public const string UserRolesChanged = "user.roles_changed";

    /// <summary>An admin disabled a user.</summary>
    public const string UserDisabled = "user.disabled";

    /// <summary>A user deleted their account (the payload carries only its id and the time).</summary>
    public const string UserDeleted = "user.deleted";
}
