using System.Text.Json;

namespace Azora.Contract.Events;

/// <summary>A domain event recorded for later delivery (e.g. <c>course.enrolled</c>).</summary>
public sealed record OutboxEvent(Guid Id, string Type, JsonElement Payload, DateTimeOffset OccurredAt);
