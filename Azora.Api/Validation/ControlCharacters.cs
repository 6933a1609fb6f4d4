using System.Buffers;

namespace Azora.Api.Validation;

/// <summary>
/// The one rule for text the API accepts from anywhere (bodies, query strings, route values, headers it reads): no
/// control characters but tab, line feed and carriage return. PostgreSQL refuses U+0000 in text outright, and the others
/// have no place in a name, a course or a key, so they are refused at the door as a validation error naming the field.
/// </summary>
public static class ControlCharacters
{
    public const string Message = "Remove control characters (such as U+0000); only tab, line feed and carriage return are allowed in text.";

    private static readonly SearchValues<char> Forbidden = SearchValues.Create(
        Enumerable.Range(0, 0xA0).Select(code => (char)code).Where(c => char.IsControl(c) && c is not ('\t' or '\n' or '\r')).ToArray());

    public static bool AreIn(string? text) => text is not null && text.AsSpan().ContainsAny(Forbidden);

    /// <summary>A field name is echoed back in the error, so its own control characters are shown as U+XXXX.</summary>
    public static string Printable(string name) =>
        AreIn(name) ? string.Concat(name.Select(c => Forbidden.Contains(c) ? $"U+{(int)c:X4}" : c.ToString())) : name;
}
