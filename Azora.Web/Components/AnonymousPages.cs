using Microsoft.AspNetCore.OutputCaching;

namespace Azora.Web.Components;

/// <summary>
/// Public pages as an anonymous visitor sees them, kept in this replica's memory for a few seconds: rendering a page
/// costs the portal many times what the API's cached answer behind it costs, and most visitors browsing the catalog see
/// the same page. Never for a signed-in browser (the page carries their name), never a response that sets a cookie
/// (output caching's default rules), and only for pages without a form that posts (an anti-forgery token is personal).
/// A catalog change reaches anonymous visitors within <see cref="Lifetime"/>. The catalog and course pages use it.
/// Blazor's enhanced navigation and a full page load get different answers for the same URL (the script's is framed,
/// with an <c>ssr-framing</c> marker it splits the body on), so each is cached apart.
/// </summary>
public static class AnonymousPages
{
    public const string Policy = "anonymous-pages";

    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(10);

    public static void Configure(OutputCachePolicyBuilder policy) => policy
        .Expire(Lifetime)
        .SetVaryByQuery("*")
        .VaryByValue(context => new("enhanced-navigation", IsEnhancedNavigation(context.Request).ToString()))
        .With(context => context.HttpContext.Request.Cookies.Keys.All(name => !name.Contains("azora_session", StringComparison.Ordinal)));

    private static bool IsEnhancedNavigation(HttpRequest request) =>
        request.Headers.Accept.Any(accept => accept?.Contains("blazor-enhanced-nav=on", StringComparison.Ordinal) == true);
}
