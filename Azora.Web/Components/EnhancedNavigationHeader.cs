namespace Azora.Web.Components;

/// <summary>
/// Blazor's script trusts an enhanced-navigation answer only when it carries <c>blazor-enhanced-nav: allow</c>, compared
/// case-sensitively, and otherwise reloads the whole page. Output caching replays that header as <c>Allow</c> (its stored
/// strings share a table with the standard header name), so every cached page answered an enhanced navigation with a
/// full reload. Runs before the output cache, restoring the value as the response starts.
/// </summary>
public static class EnhancedNavigationHeader
{
    private const string Name = "blazor-enhanced-nav";
    private const string Allow = "allow";

    public static IApplicationBuilder UseEnhancedNavigationHeader(this IApplicationBuilder app) => app.Use((http, next) =>
    {
        http.Response.OnStarting(() =>
        {
            if (string.Equals(http.Response.Headers[Name], Allow, StringComparison.OrdinalIgnoreCase))
            {
                http.Response.Headers[Name] = Allow;
            }

            return Task.CompletedTask;
        });
        return next(http);
    });
}
