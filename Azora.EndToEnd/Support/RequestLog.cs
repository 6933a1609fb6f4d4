using System.Text;
using System.Text.RegularExpressions;

namespace Azora.EndToEnd.Support;

/// <summary>One line per request and per response of a journey, written out only when the journey fails.</summary>
internal sealed partial class RequestLog
{
    private const int MaximumBodyLength = 2000;

    private readonly StringBuilder _text = new();

    public void Request(string method, string url, string? body) => Add($"> {method} {url}", body);

    public void Response(int status, string statusText, IEnumerable<KeyValuePair<string, string>> headers, string body) =>
        Add($"< {status} {statusText} [{string.Join("; ", headers.Select(header => $"{header.Key}: {header.Value}"))}]", body);

    public string Write(string name)
    {
        var path = Artifacts.PathFor($"{name}.log");
        File.WriteAllText(path, _text.ToString());
        return path;
    }

    private void Add(string line, string? body)
    {
        lock (_text)
        {
            _text.Append(DateTimeOffset.UtcNow.ToString("HH:mm:ss.fff")).Append(' ').AppendLine(line);
            if (!string.IsNullOrEmpty(body))
            {
                // Logs may come from a deployed environment: no tokens, passwords or signing secrets in them.
                var redacted = Secret().Replace(body, match => $"\"{match.Groups[1].Value}\":\"***\"");
                _text.Append("    ").AppendLine(redacted.Length > MaximumBodyLength ? redacted[..MaximumBodyLength] + "…" : redacted);
            }
        }
    }

    [GeneratedRegex("\"(accessToken|refreshToken|password|currentPassword|newPassword|secret|clientSecret)\"\\s*:\\s*\"[^\"]*\"")]
    private static partial Regex Secret();
}
