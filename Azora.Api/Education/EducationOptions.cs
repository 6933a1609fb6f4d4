using System.ComponentModel.DataAnnotations;

namespace Azora.Api.Education;

/// <summary>Settings under <c>Azora:Education</c>.</summary>
public sealed class EducationOptions
{
    public const string Section = "Azora:Education";

    /// <summary>How long a cached catalog response lives; also the bound on how stale <c>enrollmentCount</c> can be.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan CatalogCacheDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Seed the sample catalog at start-up (Development and tests only; refused in Production).</summary>
    public bool SeedSampleCatalog { get; set; }
}
