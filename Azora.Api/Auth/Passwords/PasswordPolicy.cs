using System.IO.Compression;
using System.Text;

namespace Azora.Api.Auth.Passwords;

/// <summary>
/// The password rules, after OWASP ASVS 5 (V6.2): 12 to 128 characters of any script, no composition rules, nothing
/// truncated, and none of the common passwords in the bundled list. Passwords are compared and hashed in Unicode
/// normalisation form C, so the same password typed on two keyboards is the same password.
/// </summary>
public sealed class PasswordPolicy
{
    public const int MinimumLength = 12;
    public const int MaximumLength = 128;

    private readonly HashSet<string> _common;

    public PasswordPolicy(IEnumerable<string> commonPasswords)
    {
        _common = new HashSet<string>(commonPasswords.Select(Normalize), StringComparer.OrdinalIgnoreCase);
    }

    public int CommonPasswordCount => _common.Count;

    public static PasswordPolicy FromBundledList()
    {
        using var resource = typeof(PasswordPolicy).Assembly.GetManifestResourceStream("Azora.Api.common-passwords.txt.gz")
            ?? throw new InvalidOperationException("The common-password list is missing from the build.");
        using var reader = new StreamReader(new GZipStream(resource, CompressionMode.Decompress), Encoding.UTF8);
        var passwords = new List<string>(capacity: 50_000);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                passwords.Add(line);
            }
        }

        return new PasswordPolicy(passwords);
    }

    /// <summary>The form in which a password is checked and hashed.</summary>
    public static string Normalize(string password) => password.Normalize(NormalizationForm.FormC);

    /// <summary>Length in Unicode code points, so an emoji or a CJK character counts as one.</summary>
    public static int Length(string password) => CodePoints(Normalize(password));

    /// <summary>Why the password is refused, or null when it is acceptable.</summary>
    public string? Check(string? password)
    {
        if (string.IsNullOrEmpty(password))
        {
            return "A password is required.";
        }

        var normalized = Normalize(password);
        var length = CodePoints(normalized);
        if (length < MinimumLength)
        {
            return $"Use at least {MinimumLength} characters; a few words together make a strong, memorable password.";
        }

        if (length > MaximumLength)
        {
            return $"Use at most {MaximumLength} characters.";
        }

        if (_common.Contains(normalized))
        {
            return "This password is too common; it appears in lists of leaked passwords.";
        }

        return null;
    }

    private static int CodePoints(string normalized) => normalized.EnumerateRunes().Count();
}
