namespace Azora.Web.Sessions;

/// <summary>
/// Tells the API which browser a call is for (<c>X-Forwarded-For</c>), so the API's per-client limits count each
/// browser rather than the portal as one client. The API believes it only from its configured trusted proxies.
/// </summary>
internal sealed class ForwardedClientAddress(IHttpContextAccessor accessor) : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (accessor.HttpContext?.Connection.RemoteIpAddress is { } browser)
        {
            request.Headers.Remove("X-Forwarded-For");
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", browser.ToString());
        }

        return base.SendAsync(request, cancellationToken);
    }
}
