namespace Azora.Api.Payments;

/// <summary><c>amount</c> is not accepted: the price always comes from the course.</summary>
public sealed record CreatePaymentIntentRequest(Guid? CourseId, string? Currency, long? Amount);

public sealed record PaymentIntentResponse(Guid PaymentId, string PaymentIntentId, string ClientSecret, long Amount, string Currency, string Status);

public sealed record PaymentResponse(
    Guid Id, Guid CourseId, string CourseTitle, long Amount, string Currency, string Status, string PaymentIntentId,
    string? ClientSecret, string? FailureReason, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
