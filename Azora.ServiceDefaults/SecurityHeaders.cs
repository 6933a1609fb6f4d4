using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The headers every response of an Azora service carries, whoever wrote it (an endpoint, a problem, a 429):
/// <c>X-Content-Type-Options: nosniff</c>, <c>Referrer-Policy: no-referrer</c>, and outside Development, on requests
/// that arrived over TLS (at the ingress, as the trusted proxy's <c>X-Forwarded-Proto</c> says), HSTS.
/// </summary>
public static class SecurityHeaders
{
    public const string StrictTransportSecurity = "max-age=31536000";

    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        var strictTransport = !app.Environment.IsDevelopment();
        app.Use((context, next) =>
        {
            // Set as the response starts, because the exception handler clears the headers of a failed request.
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.XContentTypeOptions = "nosniff";
                headers["Referrer-Policy"] = "no-referrer";
                if (strictTransport && context.Request.IsHttps)
                {
                    headers.StrictTransportSecurity = StrictTransportSecurity;
                }

                return Task.CompletedTask;
            });
            return next(context);
        });
        return app;
    }
}
