using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Options;

namespace Azora.Api.Education.Caching;

/// <summary>
/// The catalog policy for responses that carry the signed-in viewer's own data (the course detail's completed lessons):
/// anonymous callers share the cached entry as in <see cref="CatalogCachePolicy"/>, while a request with credentials
/// neither reads nor writes the cache, so one learner's progress is never served to anyone else and nobody is served a
/// stale copy of their own.
/// </summary>
public sealed class ViewerCachePolicy(IOptions<EducationOptions> options) : IOutputCachePolicy
{
    public const string Name = "catalog-viewer";

    private readonly CatalogCachePolicy catalog = new(options);

    public async ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        await catalog.CacheRequestAsync(context, cancellation);
        var http = context.HttpContext;
        if (http.User.Identity?.IsAuthenticated == true || http.Request.Headers.Authorization.Count > 0)
        {
            context.AllowCacheLookup = false;
            context.AllowCacheStorage = false;
        }
    }

    public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) =>
        catalog.ServeFromCacheAsync(context, cancellation);

    public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation) =>
        catalog.ServeResponseAsync(context, cancellation);
}
