using System.Globalization;

namespace Azora.Api.Common;

/// <summary>
/// <c>?page&amp;limit</c> as every list endpoint reads them: page from 1, limit from 1 to <see cref="MaximumLimit"/>
/// (default <see cref="DefaultLimit"/>). Anything else is a validation error naming the field; a page past the end is
/// simply empty.
/// </summary>
public sealed record PageRequest(int Page, int Limit)
{
    public const int DefaultLimit = 20;
    public const int MaximumLimit = 100;
    public const int MaximumPage = 1_000_000;

    public long Offset => (long)(Page - 1) * Limit;

    public static PageRequest? Parse(string? page, string? limit, IDictionary<string, string[]> errors)
    {
        var pageNumber = ParseNumber(page, 1, "page", 1, MaximumPage, errors);
        var limitNumber = ParseNumber(limit, DefaultLimit, "limit", 1, MaximumLimit, errors);
        return pageNumber is { } p && limitNumber is { } l ? new PageRequest(p, l) : null;
    }

    private static int? ParseNumber(string? text, int fallback, string field, int minimum, int maximum, IDictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(text))
        {
            return fallback;
        }

        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= minimum && value <= maximum)
        {
            return value;
        }

        errors[field] = [$"Use a whole number from {minimum} to {maximum}."];
        return null;
    }
}

public sealed record Pagination(int Page, int Limit, long Total, long Pages);

/// <summary>The envelope of every list: <c>{ data, pagination: { page, limit, total, pages } }</c>.</summary>
public sealed record PagedResponse<T>(IReadOnlyList<T> Data, Pagination Pagination)
{
    public static PagedResponse<T> Create(IReadOnlyList<T> data, PageRequest page, long total) =>
        new(data, new Pagination(page.Page, page.Limit, total, (total + page.Limit - 1) / page.Limit));
}
