using Microsoft.Extensions.Options;

namespace Azora.Api.RateLimiting;

/// <summary>
/// Counts every API request against the caller's hourly limit (per user when <see cref="IRateLimitIdentity"/> knows the caller,
/// otherwise per client address) and the endpoints marked <see cref="CredentialsLimit"/> (login, register) against the stricter
/// credentials limit, reports the tightest limit in the
/// X-RateLimit-* headers, and answers 429 once one is spent. Health, liveness and metrics are never limited.
/// </summary>
public sealed class RateLimitMiddleware(
    RequestDelegate next, DistributedRateLimits limits, IRateLimitIdentity identity, IOptions<RateLimitOptions> options)
{
    private static readonly PathString Health = "/health";
    private static readonly PathString Alive = "/alive";
    private static readonly PathString Metrics = "/metrics";

    // Written as the response starts, so they win over headers replayed from the response cache; a 429 written by an
    // endpoint (the login-attempts limit) keeps its own.
    private static readonly Func<object, Task> WriteHeaders = state =>
    {
        var (response, tightest) = ((HttpResponse, RateLimitState))state;
        if (response.StatusCode != StatusCodes.Status429TooManyRequests)
        {
            RateLimitResponses.WriteHeaders(response, tightest);
        }

        return Task.CompletedTask;
    };

    private readonly bool _enabled = options.Value.Enabled;

    public async Task InvokeAsync(HttpContext http)
    {
        var path = http.Request.Path;
        if (!_enabled || path.StartsWithSegments(Health) || path.StartsWithSegments(Alive) || path.StartsWithSegments(Metrics))
        {
            await next(http);
            return;
        }

        var general = http.Features.Get<RateLimitSubject>() is { } subject
            ? await limits.AcquireAsync(RateLimitPolicies.Authenticated, subject.Partition)
            : identity.UserKeyOf(http) is { } user
            ? await limits.AcquireAsync(RateLimitPolicies.Authenticated, user)
            : await limits.AcquireAsync(RateLimitPolicies.Anonymous, ClientKeys.Of(http));

        var credentials = http.GetEndpoint()?.Metadata.GetMetadata<CredentialsLimit>() is not null
            ? await limits.AcquireAsync(RateLimitPolicies.Credentials, ClientKeys.Of(http))
            : null;

        if (Denied(general, credentials) is { } denied)
        {
            await RateLimitResponses.TooManyRequests(http, denied, "Too many requests; retry after the number of seconds in Retry-After.")
                .ExecuteAsync(http);
            return;
        }

        if (Tightest(general, credentials) is { } tightest)
        {
            http.Response.OnStarting(WriteHeaders, (http.Response, tightest));
        }

        await next(http);
    }

    /// <summary>The refusal to report when either limit refused: the one that asks for the longer wait.</summary>
    private static RateLimitState? Denied(RateLimitState? general, RateLimitState? credentials) =>
        (general is { Allowed: false }, credentials is { Allowed: false }) switch
        {
            (true, true) => general!.RetryAfterSeconds >= credentials!.RetryAfterSeconds ? general : credentials,
            (true, false) => general,
            (false, true) => credentials,
            _ => null,
        };

    /// <summary>The limit with the fewest requests left, of those that were counted.</summary>
    private static RateLimitState? Tightest(RateLimitState? general, RateLimitState? credentials) =>
        general is null || (credentials is not null && credentials.Remaining < general.Remaining) ? credentials : general;
}
