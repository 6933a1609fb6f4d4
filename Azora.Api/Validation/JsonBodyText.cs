using System.Text;
using System.Text.Json;

namespace Azora.Api.Validation;

/// <summary>
/// Finds the first string (or property name) of a JSON body that holds a control character, and names it as the client
/// wrote it: <c>{"lessons":[{"title":"\u0000"}]}</c> gives <c>lessons[0].title</c>. Checked on the raw body rather than
/// by a converter, so that the OpenAPI document keeps describing strings as strings.
/// </summary>
internal static class JsonBodyText
{
    /// <returns>The field's path, or null when the body is clean or not JSON at all (binding then says it is malformed).</returns>
    public static string? FindControlCharacters(ReadOnlySpan<byte> json)
    {
        var path = new List<Segment>();
        var reader = new Utf8JsonReader(json);
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        path[^1].Name = reader.GetString();
                        if (ControlCharacters.AreIn(path[^1].Name))
                        {
                            return Describe(path);
                        }

                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        NextValue(path);
                        path.Add(new Segment(reader.TokenType == JsonTokenType.StartArray));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        path.RemoveAt(path.Count - 1);
                        break;
                    case JsonTokenType.String:
                        NextValue(path);
                        if (ControlCharacters.AreIn(reader.GetString()))
                        {
                            return Describe(path);
                        }

                        break;
                    default:
                        NextValue(path);
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null;
        }

        return null;
    }

    private static void NextValue(List<Segment> path)
    {
        if (path is [.., { IsArray: true } array])
        {
            array.Index++;
        }
    }

    private static string Describe(List<Segment> path)
    {
        var field = new StringBuilder();
        foreach (var segment in path)
        {
            if (segment.IsArray)
            {
                field.Append('[').Append(segment.Index).Append(']');
            }
            else
            {
                field.Append(field.Length == 0 ? "" : ".").Append(ControlCharacters.Printable(segment.Name ?? ""));
            }
        }

        return field.Length == 0 ? "body" : field.ToString();
    }

    private sealed class Segment(bool isArray)
    {
        public bool IsArray { get; } = isArray;

        public int Index { get; set; } = -1;

        public string? Name { get; set; }
    }
}
