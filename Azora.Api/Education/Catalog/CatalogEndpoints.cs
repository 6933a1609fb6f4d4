using System.Security.Claims;
using Azora.Api.Auth;
using Azora.Api.Auth.ApiKeys;
using Azora.Api.Common;
using Azora.Api.Education.Caching;
using Azora.Api.Errors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Azora.Api.Education.Catalog;

/// <summary>The public catalog: categories, courses and a course's outline, cached for the public.</summary>
public static class CatalogEndpoints
{
    public const int MaximumQueryLength = 100;

    public static IEndpointRouteBuilder MapCatalogEndpoints(this IEndpointRouteBuilder app)
    {
        var education = app.MapEducationGroup();

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

        education.MapGet("/courses/{courseId}", GetCourseAsync)
            .WithName("GetCourse")
            .WithSummary("One course by id or slug, with its lesson outline (and, for an enrolled learner, which lessons they completed).")
            .Produces<CourseDetail>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .CacheOutput(ViewerCachePolicy.Name)
            .AcceptsApiKeys(ApiKeyScopes.CatalogRead)
            .AllowAnonymous();

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
        string courseId, ClaimsPrincipal user, CatalogQueries catalog, CancellationToken cancellationToken)
    {
        if (courseId.Length > 120)
        {
            return ApiProblems.NotFound("No such course.");
        }

        var course = await catalog.FindAsync(Viewer.From(user), courseId, cancellationToken);
        return course is null ? ApiProblems.NotFound("No such course.") : TypedResults.Ok(course);
    }
}
