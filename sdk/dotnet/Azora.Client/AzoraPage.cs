namespace Azora.Client;

/// <summary>One page of a paginated list (<c>{ data, pagination }</c> in the API).</summary>
/// <param name="Items">The page's items (empty past the last page).</param>
/// <param name="Page">The page number, from 1.</param>
/// <param name="Limit">The page size asked for.</param>
/// <param name="Total">How many items the whole list has.</param>
/// <param name="Pages">How many pages of this size the whole list has.</param>
public sealed record AzoraPage<T>(IReadOnlyList<T> Items, int Page, int Limit, long Total, long Pages)
{
    /// <summary>Whether a page follows this one.</summary>
    public bool HasNext => Page < Pages;
}
