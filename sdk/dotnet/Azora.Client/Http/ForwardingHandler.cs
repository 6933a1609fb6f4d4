namespace Azora.Client.Http;

/// <summary>
/// The innermost step: hands each attempt to the caller's HttpClient (with its own handlers: service discovery,
/// telemetry, a proxy). An HttpClient sends a request message once, and the steps above may send one several
/// times, so every attempt goes as a copy, with the body buffered on the first.
/// </summary>
internal sealed class ForwardingHandler(Func<HttpClient> httpClient) : HttpMessageHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        using var attempt = new HttpRequestMessage(request.Method, request.RequestUri)
        {
            Version = request.Version,
            VersionPolicy = request.VersionPolicy,
        };
        foreach (var header in request.Headers)
        {
            attempt.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        foreach (var option in request.Options)
        {
            ((IDictionary<string, object?>)attempt.Options)[option.Key] = option.Value;
        }

        if (request.Content is not null)
        {
            // Reading buffers the body in the original content, so each later attempt reads it again from memory.
            attempt.Content = new ByteArrayContent(await request.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false));
            foreach (var header in request.Content.Headers)
            {
                attempt.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        return await httpClient().SendAsync(attempt, cancellationToken).ConfigureAwait(false);
    }
}
