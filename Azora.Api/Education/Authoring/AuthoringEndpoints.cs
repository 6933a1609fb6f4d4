using System.Security.Claims;
using Azora.Api.Auth;
using Azora.Api.Auth.ApiKeys;
using Azora.Api.Education.Catalog;
using Azora.Api.Education.Lessons;
using Azora.Api.Errors;
using Azora.Api.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Azora.Api.Education.Authoring;

/// <summary>Course and lesson authoring for instructors (their own courses) and admins (any course).</summary>
public static class AuthoringEndpoints
{
    public const int MaximumDescriptionLength = 10_000;
    public const int MaximumTitleLength = 200;
    public const int MaximumLessonSeconds = 86_400;
    public const int MaximumContentRefLength = 500;
    private const long MaximumPrice = 100_000_000;

    public static IEndpointRouteBuilder MapAuthoringEndpoints(this IEndpointRouteBuilder app)
    {
        var courses = app.MapGroup("/api/education/courses")
            .WithTags("Course management")
            .RequireAuthorization(Roles.Authors)
            .AcceptsApiKeys(ApiKeyScopes.CoursesWrite)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden);

        courses.MapPost("/", CreateAsync)
            .WithName("CreateCourse")
            .WithSummary("Creates an unpublished course owned by the caller.")
            .WithDescription("Instructors and admins (or an API key with `courses:write`). The course starts unpublished; a " +
                "slug already taken is 409. Returns the course as the catalog shows it.")
            .Produces<CourseDetail>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status409Conflict);

        courses.MapPatch("/{courseId:guid}", UpdateAsync)
            .WithName("UpdateCourse")
            .WithSummary("Changes a course; fields left out or null are unchanged.")
            .WithDescription("The course's instructor or an admin; anyone else is 403, and a course they cannot see 404. A slug " +
                "already taken is 409.")
            .Produces<CourseDetail>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        courses.MapPost("/{courseId:guid}/publish", (Guid courseId, ClaimsPrincipal user, CourseAuthoring authoring, CatalogQueries catalog, CancellationToken ct) =>
                SetPublishedAsync(courseId, true, user, authoring, catalog, ct))
            .WithName("PublishCourse")
            .WithSummary("Makes a course visible in the catalog (it needs at least one lesson).")
            .WithDescription("The course's instructor or an admin. A course without lessons, or an archived one, is 409.")
            .Produces<CourseDetail>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);

        courses.MapPost("/{courseId:guid}/unpublish", (Guid courseId, ClaimsPrincipal user, CourseAuthoring authoring, CatalogQueries catalog, CancellationToken ct) =>
                SetPublishedAsync(courseId, false, user, authoring, catalog, ct))
            .WithName("UnpublishCourse")
            .WithSummary("Hides a course from the catalog; enrolled learners keep their enrollments.")
            .WithDescription("The course's instructor or an admin.")
            .Produces<CourseDetail>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        courses.MapDelete("/{courseId:guid}", DeleteAsync)
            .WithName("DeleteCourse")
            .WithSummary("Deletes a course, or archives it when anyone enrolled.")
            .WithDescription("The course's instructor or an admin. `outcome` says which happened: `deleted` or `archived`.")
            .Produces<DeleteCourseResponse>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        courses.MapPost("/{courseId:guid}/lessons", AddLessonAsync)
            .WithName("AddLesson")
            .WithSummary("Adds a lesson at a position (default: last).")
            .WithDescription("The course's instructor or an admin. Lessons at and after the position move down. `content` is " +
                "Markdown, `videoUrl` an absolute https URL.")
            .Produces<LessonResponse>(StatusCodes.Status201Created)
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        courses.MapPatch("/{courseId:guid}/lessons/{lessonId:guid}", UpdateLessonAsync)
            .WithName("UpdateLesson")
            .WithSummary("Changes a lesson or moves it to another position.")
            .WithDescription("The course's instructor or an admin. The lessons between the old and the new position shift by one.")
            .Produces<LessonResponse>()
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status404NotFound);

        courses.MapDelete("/{courseId:guid}/lessons/{lessonId:guid}", DeleteLessonAsync)
            .WithName("DeleteLesson")
            .WithSummary("Removes a lesson; the ones after it move up.")
            .WithDescription("The course's instructor or an admin.")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status404NotFound);

        return app;
    }

    private static async Task<IResult> CreateAsync(
        CreateCourseRequest body, ClaimsPrincipal user, CourseAuthoring authoring, CatalogQueries catalog, CancellationToken cancellationToken)
    {
        var request = body.ToChanges();
        var errors = new Dictionary<string, string[]>();
        Validate(request, errors, creating: true);
        var categoryId = await CategoryAsync(request.Category, authoring, errors, cancellationToken);
        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        var title = request.Title!.Trim();
        var draft = new CourseDraft(
            title, request.Slug ?? CourseAuthoring.Slugify(title), request.Description ?? "", categoryId!.Value, request.Level!,
            request.Price!.Amount, request.Price.Currency);
        var viewer = Viewer.From(user);
        var result = await authoring.CreateAsync(viewer.UserId!.Value, draft, slugChosen: request.Slug is not null, cancellationToken);
        if (result.Outcome == AuthoringOutcome.Conflict)
        {
            return ApiProblems.Conflict(result.Detail!);
        }

        var course = await catalog.FindAsync(viewer, result.Value.ToString(), cancellationToken);
        return TypedResults.Created($"/api/education/courses/{result.Value}", course);
    }

    private static async Task<IResult> UpdateAsync(
        Guid courseId, UpdateCourseRequest body, ClaimsPrincipal user, CourseAuthoring authoring, CatalogQueries catalog, CancellationToken cancellationToken)
    {
        var request = body.ToChanges();
        var errors = new Dictionary<string, string[]>();
        Validate(request, errors, creating: false);
        var categoryId = request.Category is null ? null : await CategoryAsync(request.Category, authoring, errors, cancellationToken);
        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        var viewer = Viewer.From(user);
        var result = await authoring.UpdateAsync(viewer, courseId, request, categoryId, cancellationToken);
        return await AfterWriteAsync(result, courseId, viewer, catalog, cancellationToken);
    }

    private static async Task<IResult> SetPublishedAsync(
        Guid courseId, bool published, ClaimsPrincipal user, CourseAuthoring authoring, CatalogQueries catalog, CancellationToken cancellationToken)
    {
        var viewer = Viewer.From(user);
        var result = await authoring.SetPublishedAsync(viewer, courseId, published, cancellationToken);
        return await AfterWriteAsync(result, courseId, viewer, catalog, cancellationToken);
    }

    private static async Task<IResult> DeleteAsync(
        Guid courseId, ClaimsPrincipal user, CourseAuthoring authoring, CancellationToken cancellationToken)
    {
        var result = await authoring.DeleteAsync(Viewer.From(user), courseId, cancellationToken);
        if (result.Outcome != AuthoringOutcome.Done)
        {
            return Refusal(result.Outcome, result.Detail);
        }

        return TypedResults.Ok(new DeleteCourseResponse(courseId, result.Value!));
    }

    private static async Task<IResult> AddLessonAsync(
        Guid courseId, CreateLessonRequest body, ClaimsPrincipal user, CourseAuthoring authoring, CancellationToken cancellationToken)
    {
        var request = body.ToChanges();
        var errors = ValidateLesson(request, creating: true);
        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        var result = await authoring.AddLessonAsync(Viewer.From(user), courseId, request, cancellationToken);
        if (result.Outcome != AuthoringOutcome.Done)
        {
            return Refusal(result.Outcome, result.Detail);
        }

        return TypedResults.Created($"/api/education/courses/{courseId}", result.Value);
    }

    private static async Task<IResult> UpdateLessonAsync(
        Guid courseId, Guid lessonId, UpdateLessonRequest body, ClaimsPrincipal user, CourseAuthoring authoring, CancellationToken cancellationToken)
    {
        var request = body.ToChanges();
        var errors = ValidateLesson(request, creating: false);
        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        var result = await authoring.UpdateLessonAsync(Viewer.From(user), courseId, lessonId, request, cancellationToken);
        if (result.Outcome != AuthoringOutcome.Done)
        {
            return Refusal(result.Outcome, result.Detail);
        }

        return TypedResults.Ok(result.Value);
    }

    private static async Task<IResult> DeleteLessonAsync(
        Guid courseId, Guid lessonId, ClaimsPrincipal user, CourseAuthoring authoring, CancellationToken cancellationToken)
    {
        var result = await authoring.DeleteLessonAsync(Viewer.From(user), courseId, lessonId, cancellationToken);
        if (result.Outcome != AuthoringOutcome.Done)
        {
            return Refusal(result.Outcome, result.Detail);
        }

        return TypedResults.NoContent();
    }

    private static async Task<IResult> AfterWriteAsync(
        AuthoringResult<Guid> result, Guid courseId, Viewer viewer, CatalogQueries catalog, CancellationToken cancellationToken)
    {
        if (result.Outcome != AuthoringOutcome.Done)
        {
            return Refusal(result.Outcome, result.Detail);
        }

        return TypedResults.Ok(await catalog.FindAsync(viewer, courseId.ToString(), cancellationToken));
    }

    private static IResult Refusal(AuthoringOutcome outcome, string? detail) => outcome switch
    {
        AuthoringOutcome.Forbidden => ApiProblems.Problem(StatusCodes.Status403Forbidden, ErrorCodes.Forbidden, "Only the course's instructor or an admin may change it."),
        AuthoringOutcome.Conflict => ApiProblems.Conflict(detail ?? "The change conflicts with the course's state."),
        _ => ApiProblems.NotFound("No such course or lesson."),
    };

    private static void Validate(CourseChanges request, Dictionary<string, string[]> errors, bool creating)
    {
        if (request.Title is not null || creating)
        {
            var title = request.Title?.Trim();
            if (string.IsNullOrEmpty(title) || title.Length > MaximumTitleLength)
            {
                errors["title"] = [$"Use 1 to {MaximumTitleLength} characters."];
            }
        }

        if (request.Slug is not null && !CourseAuthoring.IsValidSlug(request.Slug))
        {
            errors["slug"] = ["Use lowercase letters, digits and single hyphens, such as intro-to-sql (at most 120 characters)."];
        }

        if (request.Description is { Length: > MaximumDescriptionLength })
        {
            errors["description"] = [$"Use at most {MaximumDescriptionLength} characters."];
        }

        if ((request.Level is not null || creating) && !CourseLevels.All.Contains(request.Level))
        {
            errors["level"] = [$"Use one of: {string.Join(", ", CourseLevels.All)}."];
        }

        if (creating && request.Category is null)
        {
            errors["category"] = ["Name a category by its slug."];
        }

        if (request.Price is { } price)
        {
            if (price.Amount < 0 || price.Amount > MaximumPrice)
            {
                errors["price.amount"] = [$"Use a whole number of minor units (cents) from 0 to {MaximumPrice}."];
            }

            if (price.Currency is null || price.Currency.Length != 3 || !price.Currency.All(char.IsAsciiLetterUpper))
            {
                errors["price.currency"] = ["Use an ISO 4217 code in capitals, such as USD or EUR."];
            }
        }
        else if (creating)
        {
            errors["price"] = ["Give the price as { amount, currency }; amount 0 makes the course free."];
        }
    }

    private static async Task<Guid?> CategoryAsync(string? slug, CourseAuthoring authoring, Dictionary<string, string[]> errors, CancellationToken cancellationToken)
    {
        if (slug is null)
        {
            return null;
        }

        var id = slug.Length > 80 ? null : await authoring.CategoryIdAsync(slug, cancellationToken);
        if (id is null)
        {
            errors["category"] = ["No such category; GET /api/education/categories lists them."];
        }

        return id;
    }

    private static Dictionary<string, string[]> ValidateLesson(LessonChanges request, bool creating)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Title is not null || creating)
        {
            var title = request.Title?.Trim();
            if (string.IsNullOrEmpty(title) || title.Length > MaximumTitleLength)
            {
                errors["title"] = [$"Use 1 to {MaximumTitleLength} characters."];
            }
        }

        if (request.DurationSeconds is < 0 or > MaximumLessonSeconds)
        {
            errors["durationSeconds"] = [$"Use 0 to {MaximumLessonSeconds} seconds."];
        }

        if (request.ContentRef is { Length: > MaximumContentRefLength })
        {
            errors["contentRef"] = [$"Use at most {MaximumContentRefLength} characters."];
        }

        if (request.Position is < 1)
        {
            errors["position"] = ["Positions start at 1."];
        }

        LessonContentRules.Validate(request, errors);
        return errors;
    }
}
