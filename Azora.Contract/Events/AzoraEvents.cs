using System.Text.Json;

namespace Azora.Contract.Events;

/// <summary>Who may receive an event through a webhook subscription.</summary>
public enum EventAudience
{
    /// <summary>Admins, and the instructor whose course the event is about (its payload's <c>instructorId</c>).</summary>
    AdminsAndCourseInstructor,

    /// <summary>Only the subscription it is sent to (a ping), whoever owns it.</summary>
    TheSubscription,

    /// <summary>Only admins' subscriptions (user administration).</summary>
    Admins,
}

/// <summary>One event partners can subscribe to: its name on the wire, its payload (the envelope's <c>data</c>) and its audience.</summary>
public abstract record AzoraEvent(string Name, Type PayloadType, EventAudience Audience, string Description);

/// <inheritdoc cref="AzoraEvent"/>
public sealed record AzoraEvent<TPayload>(string Name, EventAudience Audience, string Description)
    : AzoraEvent(Name, typeof(TPayload), Audience, Description);

/// <summary>The payload of an event about one course, whose instructor may receive it.</summary>
public interface ICourseEvent
{
    Guid InstructorId { get; }
}

public sealed record PaymentFacts(
    Guid PaymentId, string PaymentIntentId, Guid UserId, Guid CourseId, Guid InstructorId, long Amount, string Currency) : ICourseEvent;

public sealed record PaymentFailure(
    Guid PaymentId, string PaymentIntentId, Guid UserId, Guid CourseId, Guid InstructorId, long Amount, string Currency, string? FailureReason)
    : ICourseEvent;

public sealed record CourseEnrollment(Guid EnrollmentId, Guid UserId, Guid CourseId, Guid InstructorId, DateTime EnrolledAt) : ICourseEvent;

public sealed record CourseCompletion(Guid EnrollmentId, Guid UserId, Guid CourseId, Guid InstructorId, DateTime CompletedAt) : ICourseEvent;

public sealed record Ping(Guid SubscriptionId);

public sealed record UserRolesChange(Guid UserId, IReadOnlyList<string> Roles, IReadOnlyList<string> PreviousRoles, Guid? ChangedBy);

public sealed record UserDisabling(Guid UserId, Guid? DisabledBy);

/// <summary>Only the id and the time: the account's personal data is gone, and an event must not carry it on.</summary>
public sealed record UserDeletion(Guid UserId, DateTime DeletedAt);

/// <summary>
/// Every event Azora publishes, in one place: the outbox writes them, the webhook API accepts subscriptions to them,
/// the relay fans them out by their audience, and docs/api/API-REFERENCE.md documents each (a test holds it to this list).
/// Payloads are serialised with <see cref="JsonSerializerOptions.Web"/> (camelCase field names).
/// </summary>
public static class AzoraEvents
{
    public static readonly AzoraEvent<PaymentFacts> PaymentSucceeded =
        new("payment.success", EventAudience.AdminsAndCourseInstructor, "A course was paid for.");

    public static readonly AzoraEvent<PaymentFailure> PaymentFailed =
        new("payment.failed", EventAudience.AdminsAndCourseInstructor, "A payment failed.");

    public static readonly AzoraEvent<PaymentFacts> PaymentRefunded =
        new("payment.refunded", EventAudience.AdminsAndCourseInstructor, "A payment was refunded; its enrollment is revoked.");

    public static readonly AzoraEvent<CourseEnrollment> CourseEnrolled =
        new("course.enrolled", EventAudience.AdminsAndCourseInstructor, "A learner was enrolled (a free course, or a paid one once paid).");

    public static readonly AzoraEvent<CourseCompletion> CourseCompleted =
        new("course.completed", EventAudience.AdminsAndCourseInstructor, "A learner completed every lesson of a course.");

    public static readonly AzoraEvent<Ping> Ping =
        new("ping", EventAudience.TheSubscription, "Sent by POST /api/webhooks/{id}/ping to that subscription only.");

    public static readonly AzoraEvent<UserRolesChange> UserRolesChanged =
        new("user.roles_changed", EventAudience.Admins, "An admin changed a user's roles; the user's sessions are closed.");

    public static readonly AzoraEvent<UserDisabling> UserDisabled =
        new("user.disabled", EventAudience.Admins, "An admin disabled a user; the user's sessions are closed.");

    public static readonly AzoraEvent<UserDeletion> UserDeleted =
        new("user.deleted", EventAudience.Admins, "A user deleted their account; its personal data is erased, its enrollments and payments kept anonymised.");

    public static readonly IReadOnlyList<AzoraEvent> All =
        [PaymentSucceeded, PaymentFailed, PaymentRefunded, CourseEnrolled, CourseCompleted, Ping, UserRolesChanged, UserDisabled, UserDeleted];

    /// <summary>The names a subscription may list.</summary>
    public static readonly IReadOnlyList<string> Names = [.. All.Select(@event => @event.Name)];

    /// <summary>The events the relay delivers to the instructor named in their payload (as well as to admins).</summary>
    public static readonly string[] ForCourseInstructor =
        [.. All.Where(@event => @event.Audience == EventAudience.AdminsAndCourseInstructor).Select(@event => @event.Name)];

    /// <summary>The payload field the relay matches a subscriber's id against: <c>instructorId</c>.</summary>
    public static readonly string InstructorField = JsonSerializerOptions.Web.PropertyNamingPolicy!.ConvertName(nameof(ICourseEvent.InstructorId));

    /// <summary>The payload's field names on the wire, in order.</summary>
    public static IReadOnlyList<string> FieldsOf(AzoraEvent @event) =>
        [.. JsonSerializerOptions.Web.GetTypeInfo(@event.PayloadType).Properties.Select(property => property.Name)];
}
