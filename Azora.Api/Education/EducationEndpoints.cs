using System.Security.Claims;
using Azora.Api.Auth;
using Azora.Api.Auth.ApiKeys;
using Azora.Api.Common;
using Azora.Api.Education.Caching;
using Azora.Api.Errors;
using Azora.Api.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Azora.Api.Education;

/// <summary>The public catalog and a learner's enrollments and progress.</summary>
public static class EducationEndpoints
{
    public const int MaximumQueryLength = 100;

    public static IEndpointRouteBuilder MapEducationEndpoints(this IEndpointRouteBuilder app)
    {
        var education = app.MapGroup("/api/education").WithTags("Education").WithApiConventions();

        education.MapGet("/categories", async (CatalogQueries catalog, CancellationToken cancellationToken) =>
                TypedResults.Ok(new CategoriesResponse(await catalog.CategoriesAsync(cancellationToken))))
            .WithName("ListCategories")
            .WithSummary("Every category with its number of published courses.")
            .CacheOutput(CatalogCachePolicy.Name)
            .AcceptsApiKeys(ApiKeyScopes.CatalogRead)
            .AllowAnonymous();

        education.MapGet("/courses", ListCoursesAsync)
            .WithName("ListCourses")
            .WithSummary("The catalog, paginated, filtered and sorted.")
            .Produces<PagedResponse<CourseSummary>>()
            .ProducesValidationProblem()
            .CacheOutput(CatalogCachePolicy.Name)
            .AcceptsApiKeys(ApiKeyScopes.CatalogRead)
            .AllowAnonymous();

        education.MapGet("/courses/{courseIdOrSlug}", GetCourseAsync)
            .WithName("GetCourse")
            .WithSummary("One course by id or slug, with its lesson outline.")
            .Produces<CourseDetail>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .CacheOutput(CatalogCachePolicy.Name)
            .AcceptsApiKeys(ApiKeyScopes.CatalogRead)
            .AllowAnonymous();

        education.MapPost("/courses/{courseId:guid}/enroll", EnrollAsync)
            .WithName("Enroll")
            .WithSummary("Enrolls in a free course (201; again: 200 with the same enrollment). A paid course answers 402.")
            .Produces<EnrollmentResponse>(StatusCodes.Status201Created)
            .Produces<EnrollmentResponse>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status402PaymentRequired)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization();

        education.MapGet("/enrollments", ListEnrollmentsAsync)
            .WithName("ListEnrollments")
            .WithSummary("My courses with progress, newest enrollment first.")
            .Produces<PagedResponse<EnrollmentResponse>>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .RequireAuthorization();

        education.MapPost("/courses/{courseId:guid}/lessons/{lessonId:guid}/complete", CompleteLessonAsync)
            .WithName("CompleteLesson")
            .WithSummary("Marks a lesson done; the last one completes the enrollment.")
            .Produces<EnrollmentResponse>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .RequireAuthorization();

        return app;
    }

    private static async Task<Results<Ok<PagedResponse<CourseSummary>>, ValidationProblem>> ListCoursesAsync(
        ClaimsPrincipal user, CatalogQueries catalog, CancellationToken cancellationToken,
        string? page = null, string? limit = null, string? category = null, string? level = null, string? q = null,
        string? free = null, string? instructorId = null, string? sort = null)
    {
        var errors = new Dictionary<string, string[]>();
        var paging = PageRequest.Parse(page, limit, errors);
        if (level is not null && !CourseLevels.All.Contains(level))
        {
            errors["level"] = [$"Use one of: {string.Join(", ", CourseLevels.All)}."];
        }

        bool? freeOnly = free switch
        {
            null => null,
            "true" => true,
            "false" => false,
            _ => null,
        };
        if (free is not null && freeOnly is null)
        {
            errors["free"] = ["Use true or false."];
        }

        Guid? instructor = null;
        if (instructorId is not null)
        {
            if (Guid.TryParse(instructorId, out var parsed))
            {
                instructor = parsed;
            }
            else
            {
                errors["instructorId"] = ["Use a user id (a GUID)."];
            }
        }

        var query = string.IsNullOrWhiteSpace(q) ? null : q.Trim();
        if (query is { Length: > MaximumQueryLength })
        {
            errors["q"] = [$"Use at most {MaximumQueryLength} characters."];
        }

        sort ??= "newest";
        if (!CatalogQueries.Sorts.ContainsKey(sort))
        {
            errors["sort"] = [$"Use one of: {string.Join(", ", CatalogQueries.Sorts.Keys)}."];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        var filter = new CatalogFilter(string.IsNullOrWhiteSpace(category) ? null : category, level, query, freeOnly, instructor, sort);
        return TypedResults.Ok(await catalog.ListAsync(Viewer.From(user), filter, paging!, cancellationToken));
    }

    private static async Task<Results<Ok<CourseDetail>, ProblemHttpResult>> GetCourseAsync(
        string courseIdOrSlug, ClaimsPrincipal user, CatalogQueries catalog, CancellationToken cancellationToken)
    {
        if (courseIdOrSlug.Length > 120)
        {
            return ApiProblems.NotFound("No such course.");
        }

        var course = await catalog.FindAsync(Viewer.From(user), courseIdOrSlug, cancellationToken);
        return course is null ? ApiProblems.NotFound("No such course.") : TypedResults.Ok(course);
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

    private static async Task<Results<Ok<PagedResponse<EnrollmentResponse>>, ValidationProblem>> ListEnrollmentsAsync(
        ClaimsPrincipal user, Enrollments enrollments, CancellationToken cancellationToken, string? page = null, string? limit = null)
    {
        var errors = new Dictionary<string, string[]>();
        var paging = PageRequest.Parse(page, limit, errors);
        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        return TypedResults.Ok(await enrollments.ListAsync(CurrentUser.UserIdOf(user)!.Value, paging!, cancellationToken));
    }

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
