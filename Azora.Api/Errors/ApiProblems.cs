using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;

namespace Azora.Api.Errors;

/// <summary>
/// The API's one error format: RFC 9457 <c>application/problem+json</c> with a stable <c>code</c>, the
/// <c>traceId</c> to quote to support, and <c>errors</c> by field for validation failures.
/// </summary>
public static class ApiProblems
{
    public static ProblemHttpResult Problem(int status, string code, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, extensions: new Dictionary<string, object?> { ["code"] = code });

    public static ProblemHttpResult NotFound(string detail) => Problem(StatusCodes.Status404NotFound, ErrorCodes.NotFound, detail);

    public static ProblemHttpResult Conflict(string detail) => Problem(StatusCodes.Status409Conflict, ErrorCodes.Conflict, detail);

    public static ProblemHttpResult Unauthorized(string code, string detail) => Problem(StatusCodes.Status401Unauthorized, code, detail);

    public static ValidationProblem Validation(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(
            errors,
            detail: "One or more fields are invalid; see errors.",
            extensions: new Dictionary<string, object?> { ["code"] = ErrorCodes.ValidationError });

    public static ValidationProblem Validation(string field, string message) =>
        Validation(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>The W3C trace id of the request (what problems and the admin audit log show), else ASP.NET Core's request id.</summary>
    public static string TraceIdOf(HttpContext http) => Activity.Current?.TraceId.ToString() ?? http.TraceIdentifier;

    /// <summary>Adds what every problem carries, whoever made it: a code, the trace id, and the request path.</summary>
    public static void Complete(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        var status = problem.Status ?? context.HttpContext.Response.StatusCode;
        problem.Status = status;
        problem.Title ??= ReasonPhrases.GetReasonPhrase(status);
        problem.Type ??= status switch
        {
            StatusCodes.Status413PayloadTooLarge => "https://tools.ietf.org/html/rfc9110#section-15.5.14",
            StatusCodes.Status429TooManyRequests => "https://tools.ietf.org/html/rfc6585#section-4",
            _ => "about:blank",
        };
        problem.Instance ??= context.HttpContext.Request.Path;
        if (!problem.Extensions.ContainsKey("code"))
        {
            problem.Extensions["code"] = ErrorCodes.ForStatus(status);
        }

        problem.Extensions["traceId"] = TraceIdOf(context.HttpContext);
        if (status >= 500)
        {
            // Never leak internals; the trace id leads an operator to the logged exception.
            problem.Detail = status == StatusCodes.Status503ServiceUnavailable ? problem.Detail : "An unexpected error occurred.";
        }
    }
}
