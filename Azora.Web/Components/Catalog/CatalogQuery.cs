using Azora.Client;

namespace Azora.Web.Components.Catalog;

/// <summary>
/// The catalog's search as it stands in the page's URL
/// (<c>/courses?q=sql&amp;category=data-science&amp;level=beginner&amp;free=true&amp;sort=price&amp;page=2</c>), so a search can
/// be bookmarked and shared. Unknown or malformed values are dropped, never passed on.
/// </summary>
public sealed record CatalogQuery(string? Search, string? Category, string? Level, bool? Free, string? Sort, int Page)
{
    public const int PageSize = 12;

    public static readonly IReadOnlyList<(string Value, string Label)> Levels =
        [("beginner", "Beginner"), ("intermediate", "Intermediate"), ("advanced", "Advanced")];

    public static readonly IReadOnlyList<(string Value, string Label)> Sorts =
        [("newest", "Newest"), ("popular", "Most popular"), ("title", "Title"), ("price", "Price, low to high"), ("-price", "Price, high to low")];

    /// <param name="categories">The catalog's category slugs: any other category is dropped.</param>
    public static CatalogQuery From(
        string? search, string? category, IReadOnlyCollection<string> categories, string? level, string? free, string? sort, string? page) => new(
        string.IsNullOrWhiteSpace(search) ? null : search.Trim()[..Math.Min(search.Trim().Length, 100)],
        category is not null && categories.Contains(category) ? category : null,
        Levels.Any(option => option.Value == level) ? level : null,
        free switch { "true" => true, "false" => false, _ => null },
        Sorts.Any(option => option.Value == sort) ? sort : null,
        int.TryParse(page, out var number) && number is >= 1 and <= 10_000 ? number : 1);

    public CourseFilter ToFilter() => new() { Search = Search, Category = Category, Level = Level, Free = Free, Sort = Sort };

    /// <summary>This search's URL, on another page of results.</summary>
    public string Url(int page)
    {
        var parts = new List<string>();
        void Add(string name, string? value)
        {
            if (value is not null)
            {
                parts.Add($"{name}={Uri.EscapeDataString(value)}");
            }
        }

        Add("q", Search);
        Add("category", Category);
        Add("level", Level);
        Add("free", Free switch { true => "true", false => "false", null => null });
        Add("sort", Sort);
        Add("page", page == 1 ? null : page.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return parts.Count == 0 ? "/courses" : $"/courses?{string.Join('&', parts)}";
    }
}
