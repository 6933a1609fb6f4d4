namespace Azora.Client.Http;

/// <summary>The outermost step: every answer of 400 or more becomes an <see cref="AzoraApiException"/>, once the
/// steps inside (rate-limit retries, the token refresh) have had their go.</summary>
internal sealed class ProblemHandler(TimeProvider time) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if ((int)response.StatusCode < 400)
        {
            return response;
        }

        using (response)
        {
            throw await AzoraApiException.FromResponseAsync(response, time, cancellationToken).ConfigureAwait(false);
        }
    }
}
