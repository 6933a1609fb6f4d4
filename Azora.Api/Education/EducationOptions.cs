using System.ComponentModel.DataAnnotations;

namespace Azora.Api.Education;

/// <summary>Settings under <c>Azora:Education</c>.</summary>
public sealed class EducationOptions
{
    public const string Section = "Azora:Education";

    /// <summary>How long a cached catalog response lives; also the bound on how stale <c>enrollmentCount</c> can be.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan CatalogCacheDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long each replica keeps its own copy of a cached response in memory. Evictions clear every replica's copy
    /// through Redis at once; if that message is lost, a copy lives at most this long.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan CatalogLocalCacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Seed the sample catalog at start-up (Development and tests only; refused in Production).</summary>
    public bool SeedSampleCatalog { get; set; }
}
