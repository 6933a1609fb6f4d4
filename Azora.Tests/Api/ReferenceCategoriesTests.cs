using System.Text.RegularExpressions;
using Azora.Api.Education.Seeding;

namespace Azora.Tests.Api;

/// <summary>
/// The categories every environment has come from a migration; the sample catalog files its courses under the same
/// ids, so a seeded database and a migrated one agree.
/// </summary>
public partial class ReferenceCategoriesTests
{
    [Fact]
    public void The_migrated_categories_are_the_sample_catalogs_with_the_same_ids()
    {
        var sql = File.ReadAllText(Repository.PathOf("Azora.Contract/Migrations/Scripts/0011_categories.sql"));

        var rows = Row().Matches(sql).Select(match => (Id: Guid.Parse(match.Groups["id"].Value), Name: match.Groups["name"].Value)).ToList();

        Assert.Equal(SampleCatalog.Categories, rows.Select(row => row.Name));
        Assert.All(rows, row => Assert.Equal(SampleCatalog.Id("category", row.Name), row.Id));
    }

    [GeneratedRegex(@"\('(?<id>[0-9a-f-]{36})', '[a-z-]+', '(?<name>[^']+)'\)")]
    private static partial Regex Row();
}
