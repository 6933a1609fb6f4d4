using Azora.Api.Auth;
using Azora.Api.Common;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.Extensions.Options;

namespace Azora.Api.Education.Caching;

/// <summary>
/// Catalog responses (course list, course detail, categories) cached in Redis for everyone who sees the public
/// catalog: anonymous callers and learners share one entry per URL. Instructors and admins, who also see drafts,
/// always read the database. Any change to a course, its lessons or its publication evicts the whole catalog tag on
/// every replica; enrollment counts are not evicted and may lag by up to <see cref="EducationOptions.CatalogCacheDuration"/> plus
/// <see cref="EducationOptions.CatalogLocalCacheDuration"/>.
/// </summary>
public sealed class CatalogCachePolicy(IOptions<EducationOptions> options) : IOutputCachePolicy
{
    public const string Name = "catalog";
    public const string Tag = "catalog";

    public ValueTask CacheRequestAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        var user = context.HttpContext.User;
        var cacheable = HttpMethods.IsGet(context.HttpContext.Request.Method) && !user.IsInRole(Roles.Instructor) && !user.IsInRole(Roles.Admin);
        context.EnableOutputCaching = true;
        context.AllowCacheLookup = cacheable;
        context.AllowCacheStorage = cacheable;
        context.AllowLocking = true;
        context.CacheVaryByRules.QueryKeys = "*";
        context.ResponseExpirationTimeSpan = options.Value.CatalogCacheDuration;
        context.Tags.Add(Tag);
        return ValueTask.CompletedTask;
    }

    public ValueTask ServeFromCacheAsync(OutputCacheContext context, CancellationToken cancellation) => ValueTask.CompletedTask;

    public ValueTask ServeResponseAsync(OutputCacheContext context, CancellationToken cancellation)
    {
        if (context.HttpContext.Response.StatusCode != StatusCodes.Status200OK)
        {
            context.AllowCacheStorage = false;
        }

        return ValueTask.CompletedTask;
    }
}

/// <summary>
/// Evicts the cached catalog after a committed write; a cache that cannot be reached is skipped by the store. With a read
/// replica, the write's WAL position is noted first, so the reads that refill the cache wait for the replica to hold
/// the write (reading the primary meanwhile) instead of caching the old catalog again.
/// </summary>
public sealed class CatalogCache(IOutputCacheStore store, ReadDatabase reads)
{
    public async ValueTask InvalidateAsync(CancellationToken cancellationToken)
    {
        await reads.WrittenAsync(cancellationToken);
        await store.EvictByTagAsync(CatalogCachePolicy.Tag, cancellationToken);
    }
}
