using System.Security.Claims;
using Azora.Api.Auth;
using Azora.Api.Common;
using Azora.Api.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Azora.Api.Education.Learning;

/// <summary>A learner's enrollments and progress.</summary>
public static class LearningEndpoints
{
    public static IEndpointRouteBuilder MapLearningEndpoints(this IEndpointRouteBuilder app)
    {
        var education = app.MapEducationGroup();

        education.MapPost("/courses/{courseId:guid}/enroll", EnrollAsync)
            .WithName("Enroll")
            .WithSummary("Enrolls in a free course (201; again: 200 with the same enrollment). A paid course answers 402.")
            .WithDescription("Any signed-in user. A paid course is 402 `PAYMENT_REQUIRED`: pay with CreatePaymentIntent and the " +
                "enrollment follows the payment. A course that is not published is 404.")
            .Produces<EnrollmentResponse>(StatusCodes.Status201Created)
            .Produces<EnrollmentResponse>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status402PaymentRequired)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization();

        education.MapGet("/enrollments", ListEnrollmentsAsync)
            .WithName("ListEnrollments")
            .WithSummary("My courses with progress, newest enrollment first.")
            .WithDescription("Any signed-in user; revoked enrollments are listed with status `revoked`.")
            .Produces<PagedResponse<EnrollmentResponse>>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .RequireAuthorization();

        education.MapPost("/courses/{courseId:guid}/lessons/{lessonId:guid}/complete", CompleteLessonAsync)
            .WithName("CompleteLesson")
            .WithSummary("Marks a lesson done; the last one completes the enrollment.")
            .WithDescription("An enrolled learner (403 `NOT_ENROLLED` otherwise). Completing a lesson twice changes nothing. " +
                "Completing the last lesson issues the certificate.")
            .Produces<EnrollmentResponse>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization();

        return app.MapLearningContentEndpoints(education);
    }

    private static async Task<Results<Created<EnrollmentResponse>, Ok<EnrollmentResponse>, ProblemHttpResult>> EnrollAsync(
        Guid courseId, ClaimsPrincipal user, Enrollments enrollments, CancellationToken cancellationToken)
    {
        var (outcome, enrollment) = await enrollments.EnrollAsync(CurrentUser.UserIdOf(user)!.Value, courseId, cancellationToken);
        return outcome switch
        {
            EnrollOutcome.Created => TypedResults.Created($"/api/education/enrollments/{enrollment!.Id}", enrollment),
            EnrollOutcome.Existing => TypedResults.Ok(enrollment!),
            EnrollOutcome.PaymentRequired => ApiProblems.Problem(
                StatusCodes.Status402PaymentRequired,
                ErrorCodes.PaymentRequired,
                "This course is paid: create a payment intent with POST /api/pay/payment-intent, and the enrollment follows the payment."),
            _ => ApiProblems.NotFound("No such course, or it is not open for enrollment."),
        };
    }

    private static Task<Results<Ok<PagedResponse<EnrollmentResponse>>, ValidationProblem>> ListEnrollmentsAsync(
        ClaimsPrincipal user, Enrollments enrollments, CancellationToken cancellationToken, string? page = null, string? limit = null) =>
        CallerPages.ListAsync(user, page, limit, (userId, paging) => enrollments.ListAsync(userId, paging, cancellationToken));

    private static async Task<Results<Ok<EnrollmentResponse>, ProblemHttpResult>> CompleteLessonAsync(
        Guid courseId, Guid lessonId, ClaimsPrincipal user, Enrollments enrollments, CancellationToken cancellationToken)
    {
        var (outcome, enrollment) = await enrollments.CompleteLessonAsync(CurrentUser.UserIdOf(user)!.Value, courseId, lessonId, cancellationToken);
        return outcome switch
        {
            CompletionOutcome.Recorded => TypedResults.Ok(enrollment!),
            CompletionOutcome.NotEnrolled => ApiProblems.Problem(
                StatusCodes.Status403Forbidden, ErrorCodes.NotEnrolled, "Enroll in the course before completing its lessons."),
            _ => ApiProblems.NotFound("No such lesson in this course."),
        };
    }
}
