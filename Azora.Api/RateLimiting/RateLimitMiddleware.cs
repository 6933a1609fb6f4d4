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
    private static readonly PathString[] Unlimited = ["/health", "/alive", "/metrics"];

    public async Task InvokeAsync(HttpContext http)
    {
        if (!options.Value.Enabled || Unlimited.Any(path => http.Request.Path.StartsWithSegments(path)))
        {
            await next(http);
            return;
        }

        var client = ClientKeys.Of(http);
        var states = new List<RateLimitState?>(2);
        states.Add(http.Features.Get<RateLimitSubject>() is { } subject
            ? await limits.AcquireAsync(RateLimitPolicies.Authenticated, subject.Partition)
            : identity.UserKeyOf(http) is { } user
            ? await limits.AcquireAsync(RateLimitPolicies.Authenticated, user)
            : await limits.AcquireAsync(RateLimitPolicies.Anonymous, client));

        if (http.GetEndpoint()?.Metadata.GetMetadata<CredentialsLimit>() is not null)
        {
            states.Add(await limits.AcquireAsync(RateLimitPolicies.Credentials, client));
        }

        var known = states.OfType<RateLimitState>().ToList();
        if (known.Count == 0)
        {
            await next(http);
            return;
        }

        var denied = known.Where(state => !state.Allowed).MaxBy(state => state.RetryAfterSeconds);
        if (denied is not null)
        {
            await RateLimitResponses.TooManyRequests(http, denied, "Too many requests; retry after the number of seconds in Retry-After.")
                .ExecuteAsync(http);
            return;
        }

        // Written as the response starts, so they win over headers replayed from the response cache; a 429 written
        // by an endpoint (the login-attempts limit) keeps its own.
        var tightest = known.MinBy(state => state.Remaining)!;
        http.Response.OnStarting(() =>
        {
            if (http.Response.StatusCode != StatusCodes.Status429TooManyRequests)
            {
                RateLimitResponses.WriteHeaders(http.Response, tightest);
            }

            return Task.CompletedTask;
        });
        await next(http);
    }
}
