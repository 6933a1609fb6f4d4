namespace Azora.Api.Common;

/// <summary>A search text as an SQL <c>LIKE</c>/<c>ILIKE</c> pattern (used with <c>ESCAPE '\'</c>).</summary>
public static class LikePatterns
{
    /// <summary>Matches values containing <paramref name="text"/> literally: its <c>%</c>, <c>_</c> and <c>\</c> are escaped.</summary>
    public static string Containing(string text) => "%" + text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_") + "%";
}
