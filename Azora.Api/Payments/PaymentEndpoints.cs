using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Azora.Api.Auth;
using Azora.Api.Common;
using Azora.Api.Errors;
using Azora.Api.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Azora.Api.Payments;

/// <summary>Paying for a course: the payment intent the client confirms with Stripe, and the learner's payment history.</summary>
public static class PaymentEndpoints
{
    private const int MaximumIdempotencyKeyLength = 255;

    public static IEndpointRouteBuilder MapPaymentEndpoints(this IEndpointRouteBuilder app)
    {
        var pay = app.MapGroup("/api/pay").WithTags("Payments").RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized);

        pay.MapPost("/payment-intent", CreateIntentAsync)
            .WithName("CreatePaymentIntent")
            .WithSummary(
                "Starts paying for a course: a Stripe PaymentIntent for the course's price (201; the open one again, or the one this Idempotency-Key made: 200; "
                + "an Idempotency-Key already used for another course: 422 IDEMPOTENCY_KEY_REUSED).")
            .Produces<PaymentIntentResponse>(StatusCodes.Status201Created)
            .Produces<PaymentIntentResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithDescription("Any signed-in user whose email is verified (else 403 `EMAIL_NOT_VERIFIED`; free enrollment needs no " +
                "verified email), for a paid, published course they are not enrolled in. Send an " +
                "`Idempotency-Key` (a fresh UUID per purchase attempt) so a retried request never makes a second intent. The " +
                "enrollment is granted when Stripe reports the payment succeeded (see GetPayment and ListEnrollments). A free " +
                "course is 400 naming `courseId`; already enrolled is 409; Stripe unreachable is 503 `PAYMENTS_UNAVAILABLE` " +
                "(nothing was charged).");

        pay.MapGet("/payments", ListAsync)
            .WithName("ListPayments")
            .WithSummary("My payments, newest first.")
            .WithDescription("Any signed-in user: their own payments, whatever their status.")
            .Produces<PagedResponse<PaymentResponse>>()
            .ProducesValidationProblem();

        pay.MapGet("/payments/{paymentId:guid}", GetAsync)
            .WithName("GetPayment")
            .WithSummary("One of my payments.")
            .WithDescription("Someone else's payment is 404. Poll it after confirming a payment to see it succeed or fail.")
            .Produces<PaymentResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        pay.MapPost("/payments/{paymentId:guid}/refund", RefundAsync)
            .WithName("RefundPayment")
            .WithSummary("Admins: refunds a succeeded payment; the enrollment is revoked when Stripe confirms.")
            .WithDescription("Admins only. A payment that has not succeeded is 409. The answer is the payment as it is now; its " +
                "status becomes `refunded` when Stripe's event arrives.")
            .RequireAuthorization(policy => policy.RequireRole(Roles.Admin))
            .Produces<PaymentResponse>(StatusCodes.Status202Accepted)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        return app;
    }

    private static async Task<IResult> CreateIntentAsync(
        CreatePaymentIntentRequest request, ClaimsPrincipal user, PaymentService payments,
        [FromHeader(Name = "Idempotency-Key"), StringLength(MaximumIdempotencyKeyLength, MinimumLength = 1),
         Description("Makes retries safe: the same key (for the same course) answers with the intent it made.")] string? idempotencyKey, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.CourseId is null)
        {
            errors["courseId"] = ["Name the course to pay for."];
        }

        if (request.Amount is not null)
        {
            errors["amount"] = ["Leave the amount out: it is always the course's price."];
        }

        if (request.Currency is not null && (request.Currency.Length != 3 || !request.Currency.All(char.IsAsciiLetter)))
        {
            errors["currency"] = ["Use an ISO 4217 code, such as USD."];
        }

        if (idempotencyKey is { Length: 0 or > MaximumIdempotencyKeyLength })
        {
            errors["Idempotency-Key"] = [$"Use 1 to {MaximumIdempotencyKeyLength} characters."];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        var (outcome, intent, detail) = await payments.CreateIntentAsync(
            CurrentUser.UserIdOf(user)!.Value, request.CourseId!.Value, request.Currency, idempotencyKey, cancellationToken);
        return outcome switch
        {
            IntentOutcome.Created => TypedResults.Created($"/api/pay/payments/{intent!.PaymentId}", intent),
            IntentOutcome.Existing => TypedResults.Ok(intent),
            IntentOutcome.EmailNotVerified => ApiProblems.Problem(
                StatusCodes.Status403Forbidden, ErrorCodes.EmailNotVerified,
                "Verify your email before paying: follow the link we mailed you, or ask for a new one with POST /api/auth/verify-email/resend."),
            IntentOutcome.FreeCourse => ApiProblems.Validation("courseId", "This course is free: enroll with POST /api/education/courses/{courseId}/enroll."),
            IntentOutcome.WrongCurrency => ApiProblems.Validation("currency", detail!),
            IntentOutcome.AlreadyEnrolled => ApiProblems.Conflict("You are already enrolled in this course."),
            IntentOutcome.KeyReused => ApiProblems.Problem(
                StatusCodes.Status422UnprocessableEntity, ErrorCodes.IdempotencyKeyReused,
                "This Idempotency-Key was already used to pay for another course; send a new key with a new request."),
            IntentOutcome.Unavailable => Unavailable(),
            _ => ApiProblems.NotFound("No such course, or it is not for sale."),
        };
    }

    private static Task<Results<Ok<PagedResponse<PaymentResponse>>, ValidationProblem>> ListAsync(
        ClaimsPrincipal user, PaymentService payments, CancellationToken cancellationToken, string? page = null, string? limit = null) =>
        CallerPages.ListAsync(user, page, limit, (userId, paging) => payments.ListAsync(userId, paging, cancellationToken));

    private static async Task<Results<Ok<PaymentResponse>, ProblemHttpResult>> GetAsync(
        Guid paymentId, ClaimsPrincipal user, PaymentService payments, CancellationToken cancellationToken)
    {
        var payment = await payments.FindAsync(CurrentUser.UserIdOf(user)!.Value, paymentId, anyUser: false, cancellationToken);
        return payment is null ? ApiProblems.NotFound("No such payment.") : TypedResults.Ok(payment);
    }

    private static async Task<IResult> RefundAsync(Guid paymentId, ClaimsPrincipal user, PaymentService payments, CancellationToken cancellationToken)
    {
        var payment = await payments.FindAsync(CurrentUser.UserIdOf(user)!.Value, paymentId, anyUser: true, cancellationToken);
        if (payment is null)
        {
            return ApiProblems.NotFound("No such payment.");
        }

        if (payment.Status != "succeeded")
        {
            return ApiProblems.Conflict($"Only a succeeded payment can be refunded; this one is {payment.Status}.");
        }

        return await payments.RequestRefundAsync(payment.PaymentIntentId, cancellationToken)
            ? TypedResults.Accepted($"/api/pay/payments/{paymentId}", payment)
            : Unavailable();
    }

    private static IResult Unavailable()
    {
        var problem = ApiProblems.Problem(
            StatusCodes.Status503ServiceUnavailable, ErrorCodes.PaymentsUnavailable, "Payments are unavailable right now; nothing was charged. Try again shortly.");
        return problem;
    }
}
