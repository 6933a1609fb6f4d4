using System.ComponentModel.DataAnnotations;
using Azora.Api.OpenApi;

namespace Azora.Api.Payments;

/// <summary>
/// <c>currency</c>, when given, must be the course's own. <c>amount</c> is refused: the price always comes from the
/// course.
/// </summary>
public sealed record CreatePaymentIntentRequest(
    [property: Required] Guid? CourseId,
    [property: StringLength(3, MinimumLength = 3)] string? Currency,
    [property: Refused] long? Amount = null) : IOpenApiExample<CreatePaymentIntentRequest>
{
    public static CreatePaymentIntentRequest Example { get; } = new(Guid.Parse("3f1c2a9e-5b7d-4c8e-9a61-2d4f8b0e7c15"), "USD");
}

/// <summary>The states of a payment, from Stripe's PaymentIntent.</summary>
public static class PaymentStatuses
{
    public static readonly string[] All = ["pending", "requires_action", "failed", "succeeded", "canceled", "refunded"];
}

/// <summary>Hand <c>clientSecret</c> to Stripe.js to confirm the payment in the browser.</summary>
public sealed record PaymentIntentResponse(
    Guid PaymentId, string PaymentIntentId, string ClientSecret, long Amount, string Currency,
    [property: ClosedSet(typeof(PaymentStatuses))] string Status) : IOpenApiExample<PaymentIntentResponse>
{
    public static PaymentIntentResponse Example { get; } = new(
        Guid.Parse("9b1d3f5a-7c9e-4b2d-8f4a-6c8e0a2b4d6f"), "pi_3QxAzoraExample", "pi_3QxAzoraExample_secret_Example", 4900, "USD", "pending");
}

public sealed record PaymentResponse(
    Guid Id, Guid CourseId, string CourseTitle, long Amount, string Currency,
    [property: ClosedSet(typeof(PaymentStatuses))] string Status, string PaymentIntentId,
    string? ClientSecret, string? FailureReason, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);
