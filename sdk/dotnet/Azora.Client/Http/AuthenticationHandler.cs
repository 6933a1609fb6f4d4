using System.Net;
using System.Net.Http.Headers;

namespace Azora.Client.Http;

/// <summary>
/// Sends the client's credential as <c>Authorization: Bearer</c> (unless the request carries its own), refreshing an
/// access token about to expire first; after a 401 to a session's token, refreshes once and sends the request once
/// more with the new token.
/// </summary>
internal sealed class AuthenticationHandler(SessionKeeper sessions) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Operations.IsSignIn(request) || request.Headers.Authorization is not null)
        {
            return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }

        var (bearer, session) = await sessions.GetBearerAsync(cancellationToken).ConfigureAwait(false);
        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized || session is null || Operations.IsSignOut(request))
        {
            return response;
        }

        var refreshed = await sessions.RefreshAsync(session, cancellationToken).ConfigureAwait(false);
        if (refreshed is null)
        {
            return response;
        }

        response.Dispose();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", refreshed.AccessToken);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }
}
