using System.Text.Json;

namespace Azora.Tests.Contract;

/// <summary>
/// Where two JSON documents first differ, as parsed JSON: members in any order are equal, and so are numbers written
/// differently (1.0 and 1); array items keep their order.
/// </summary>
internal static class JsonDifference
{
    /// <summary>The first difference as a JSON pointer and what each side has there, or null when they are equal.</summary>
    public static (string Pointer, string Expected, string Actual)? First(JsonElement expected, JsonElement actual) => Compare(expected, actual, "");

    private static (string, string, string)? Compare(JsonElement expected, JsonElement actual, string pointer)
    {
        // true and false are kinds of their own, so a flipped boolean differs here.
        if (expected.ValueKind != actual.ValueKind)
        {
            return (Location(pointer), Describe(expected), Describe(actual));
        }

        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                var actualMembers = actual.EnumerateObject().ToDictionary(member => member.Name, member => member.Value, StringComparer.Ordinal);
                var expectedNames = new HashSet<string>(StringComparer.Ordinal);
                foreach (var member in expected.EnumerateObject())
                {
                    expectedNames.Add(member.Name);
                    var at = $"{pointer}/{Escape(member.Name)}";
                    if (!actualMembers.TryGetValue(member.Name, out var other))
                    {
                        return (at, Describe(member.Value), "nothing");
                    }

                    if (Compare(member.Value, other, at) is { } difference)
                    {
                        return difference;
                    }
                }

                foreach (var extra in actual.EnumerateObject().Where(member => !expectedNames.Contains(member.Name)))
                {
                    return ($"{pointer}/{Escape(extra.Name)}", "nothing", Describe(extra.Value));
                }

                return null;
            case JsonValueKind.Array:
                var expectedItems = expected.EnumerateArray().ToList();
                var actualItems = actual.EnumerateArray().ToList();
                for (var index = 0; index < Math.Min(expectedItems.Count, actualItems.Count); index++)
                {
                    if (Compare(expectedItems[index], actualItems[index], $"{pointer}/{index}") is { } difference)
                    {
                        return difference;
                    }
                }

                var count = Math.Min(expectedItems.Count, actualItems.Count);
                return expectedItems.Count == actualItems.Count
                    ? null
                    : ($"{pointer}/{count}", expectedItems.Count > count ? Describe(expectedItems[count]) : "nothing", actualItems.Count > count ? Describe(actualItems[count]) : "nothing");
            case JsonValueKind.Number:
                var same = expected.TryGetDecimal(out var left) && actual.TryGetDecimal(out var right) ? left == right : expected.GetDouble().Equals(actual.GetDouble());
                return same ? null : (Location(pointer), Describe(expected), Describe(actual));
            case JsonValueKind.String:
                return expected.GetString() == actual.GetString() ? null : (Location(pointer), Describe(expected), Describe(actual));
            default:
                return null;
        }
    }

    private static string Location(string pointer) => pointer.Length == 0 ? "/" : pointer;

    private static string Escape(string name) => name.Replace("~", "~0").Replace("/", "~1");

    private static string Describe(JsonElement element)
    {
        var text = element.GetRawText();
        return text.Length > 200 ? text[..200] + "…" : text;
    }
}
