using System.Net;

namespace Azora.Client.Http;

/// <summary>
/// Sends a request answered <c>429 Too Many Requests</c> again after its <c>Retry-After</c>, at most
/// <see cref="AzoraClientOptions.MaxRateLimitRetries"/> times and never waiting longer than
/// <see cref="AzoraClientOptions.MaxRetryAfter"/>; after that the 429 goes to the caller. A 429 is safe to repeat
/// whatever the method: the API refuses it before doing anything.
/// </summary>
internal sealed class RateLimitHandler(AzoraClientOptions options) : DelegatingHandler
{
    /// <summary>The wait when a 429 comes without Retry-After (the API always sends one; a proxy might not).</summary>
    internal static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(1);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        for (var retries = 0; ; retries++)
        {
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != HttpStatusCode.TooManyRequests || retries >= options.MaxRateLimitRetries)
            {
                return response;
            }

            var wait = AzoraApiException.RetryAfterOf(response.Headers.RetryAfter, options.TimeProvider) ?? DefaultWait;
            if (wait > options.MaxRetryAfter)
            {
                return response;
            }

            response.Dispose();
            await Task.Delay(wait, options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }
}
