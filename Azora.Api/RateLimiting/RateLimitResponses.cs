using System.Globalization;
using Azora.Api.Errors;

namespace Azora.Api.RateLimiting;

public static class RateLimitResponses
{
    public static void WriteHeaders(HttpResponse response, RateLimitState state)
    {
        response.Headers["X-RateLimit-Limit"] = state.Limit.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Remaining"] = state.Remaining.ToString(CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Reset"] = state.ResetUnixSeconds.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>A 429 in the problem format, with the limit's headers and Retry-After in seconds.</summary>
    public static IResult TooManyRequests(HttpContext http, RateLimitState state, string detail)
    {
        WriteHeaders(http.Response, state);
        http.Response.Headers.RetryAfter = state.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return ApiProblems.Problem(StatusCodes.Status429TooManyRequests, ErrorCodes.RateLimitExceeded, detail);
    }
}
