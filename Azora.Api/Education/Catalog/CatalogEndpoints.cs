using System.Security.Claims;
using Azora.Api.Auth;
using Azora.Api.Auth.ApiKeys;
using Azora.Api.Common;
using Azora.Api.Education.Caching;
using Azora.Api.Errors;
using Azora.Api.OpenApi;
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
            .WithDescription("Anonymous. The categories a course can be filed under (`category` on the course list and on course " +
                "authoring takes a category's `slug`), each with how many published courses it holds. Cached for 60 seconds.")
            .CacheOutput(CatalogCachePolicy.Name)
            .AcceptsApiKeys(ApiKeyScopes.CatalogRead)
            .AllowAnonymous();

        education.MapGet("/courses", ListCoursesAsync)
            .WithName("ListCourses")
            .WithSummary("The catalog, paginated, filtered and sorted.")
            .WithDescription("Anonymous. Published courses; an instructor also sees their own drafts and archived courses, and an " +
                "admin sees every course. Filters combine; anonymous and learner answers are cached for 60 seconds. An unknown " +
                "`level`, `sort` or a malformed number is a 400 naming the parameter.")
            .WithQuery("category", "A category slug (see ListCategories); an unknown slug matches nothing.", QuerySchema.Text(80))
            .WithQuery("level", "Only courses of this level.", QuerySchema.OneOf(CourseLevels.All))
            .WithQuery("q", $"Words to find in the title or description (at most {MaximumQueryLength} characters).", QuerySchema.Text(MaximumQueryLength))
            .WithQuery("free", "`true`: only free courses; `false`: only paid ones.", QuerySchema.Boolean)
            .WithQuery("instructorId", "Only this instructor's courses.", QuerySchema.Uuid)
            .WithQuery("sort", "The order: newest first (default), oldest, by title, by price (`-price`: highest first), or most enrolled.",
                QuerySchema.OneOf(CatalogQueries.Sorts.Keys, "newest"))
            .Produces<PagedResponse<CourseSummary>>()
            .ProducesValidationProblem()
            .CacheOutput(CatalogCachePolicy.Name)
            .AcceptsApiKeys(ApiKeyScopes.CatalogRead)
            .WithOptionalSignIn();

        education.MapGet("/courses/{courseId}", GetCourseAsync)
            .WithName("GetCourse")
            .WithSummary("One course by id or slug, with its lesson outline (and, for an enrolled learner, which lessons they completed).")
            .WithDescription("Anonymous. `courseId` is the course's id or its slug. Drafts and archived courses are 404 except to " +
                "their instructor and admins. For an enrolled learner each lesson's `completed` is true or false; otherwise null.")
            .Produces<CourseDetail>()
            .ProducesProblem(StatusCodes.Status404NotFound)
            .CacheOutput(ViewerCachePolicy.Name)
            .AcceptsApiKeys(ApiKeyScopes.CatalogRead)
            .WithOptionalSignIn();

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
