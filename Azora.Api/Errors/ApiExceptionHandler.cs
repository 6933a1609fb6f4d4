using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Npgsql;
using StackExchange.Redis;

namespace Azora.Api.Errors;

/// <summary>
/// Turns what the framework throws for bad requests (malformed JSON, wrong content type, body over the limit) into
/// the API's problem format with the right status, an unreachable database into a 503 the client may retry, and
/// anything else into a 500 that says nothing of the internals.
/// </summary>
internal sealed class ApiExceptionHandler(IProblemDetailsService problems, ErrorMetrics metrics, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, code, detail) = exception switch
        {
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                (StatusCodes.Status413PayloadTooLarge, ErrorCodes.PayloadTooLarge, "The request body is larger than the API accepts."),
            BadHttpRequestException { StatusCode: StatusCodes.Status415UnsupportedMediaType } =>
                (StatusCodes.Status415UnsupportedMediaType, ErrorCodes.UnsupportedMediaType, "Send the body as application/json."),
            BadHttpRequestException { InnerException: JsonException } =>
                (StatusCodes.Status400BadRequest, ErrorCodes.MalformedRequest, "The request body is not valid JSON for this endpoint."),
            BadHttpRequestException bad =>
                (bad.StatusCode, ErrorCodes.ForStatus(bad.StatusCode), "The request could not be read: " + bad.Message),
            NpgsqlException { IsTransient: true } or RedisConnectionException =>
                (StatusCodes.Status503ServiceUnavailable, ErrorCodes.ServiceUnavailable, "A backing service is unavailable; retry shortly."),
            _ => (StatusCodes.Status500InternalServerError, ErrorCodes.InternalError, "An unexpected error occurred."),
        };

        if (exception is NpgsqlException { IsTransient: true })
        {
            metrics.DatabaseUnavailable();
        }

        if (status >= 500)
        {
            logger.LogError(exception, "Unhandled exception on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
        }

        if (httpContext.Response.HasStarted)
        {
            return false;
        }

        httpContext.Response.StatusCode = status;
        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = "5";
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = status,
                Detail = detail,
                Extensions = { ["code"] = code },
            },
        });
    }
}
