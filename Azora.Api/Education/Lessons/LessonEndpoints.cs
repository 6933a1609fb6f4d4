using Azora.Api.Auth;
using System.Security.Claims;
using Azora.Api.Errors;
using Azora.Api.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Azora.Api.Education.Lessons;

/// <summary>Reading a lesson's content: previews for anyone, the rest for enrolled learners, the instructor and admins.</summary>
public static class LessonEndpoints
{
    public static RouteGroupBuilder MapLessonEndpoints(this RouteGroupBuilder education)
    {
        education.MapGet("/courses/{courseId:guid}/lessons/{lessonId:guid}", ReadAsync)
            .WithName("GetLesson")
            .WithSummary("A lesson's content (Markdown, as stored) and video: a preview for anyone, otherwise for enrolled learners, the instructor and admins.")
            .WithDescription("Anonymous for preview lessons of published courses. Otherwise: no token is 401, a signed-in user " +
                "who is not enrolled 403 `NOT_ENROLLED`. Render `content` as Markdown without raw HTML. Never cached.")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithOptionalSignIn();
        return education;
    }

    private static async Task<Results<Ok<LessonContentResponse>, ProblemHttpResult>> ReadAsync(
        Guid courseId, Guid lessonId, ClaimsPrincipal user, LessonReader lessons, HttpContext http, CancellationToken cancellationToken)
    {
        var (access, lesson) = await lessons.ReadAsync(Viewer.From(user), courseId, lessonId, cancellationToken);
        switch (access)
        {
            case LessonAccess.Granted:
                // Content (and the caller's progress) is for this caller only: no browser, proxy or CDN keeps a copy.
                http.Response.Headers.CacheControl = "private, no-store";
                return TypedResults.Ok(lesson!);
            case LessonAccess.SignInRequired:
                http.Response.Headers.WWWAuthenticate = "Bearer";
                return ApiProblems.Unauthorized(ErrorCodes.Unauthorized, "Sign in to read this lesson, or open one of the course's preview lessons.");
            case LessonAccess.NotEnrolled:
                return ApiProblems.Problem(StatusCodes.Status403Forbidden, ErrorCodes.NotEnrolled, "Enroll in the course to read this lesson.");
            default:
                return ApiProblems.NotFound("No such lesson in this course.");
        }
    }
}
