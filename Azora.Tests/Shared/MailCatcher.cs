// Compiled into Azora.Tests and Azora.EndToEnd.
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Azora.Testing;

/// <summary>A message smtp4dev caught: its envelope recipients, headers and both bodies.</summary>
internal sealed record CaughtMail(
    Guid Id, IReadOnlyList<string> To, string Subject, string Text, string Html, IReadOnlyDictionary<string, string> Headers)
{
    public string From => Headers.GetValueOrDefault("From", "");

    public string MessageId => Headers.GetValueOrDefault("Message-ID", "");

    /// <summary>Every absolute link written out in the plain-text part.</summary>
    public IReadOnlyList<Uri> Links =>
        [.. Regex.Matches(Text, @"https?://[^\s<>""]+").Select(match => new Uri(match.Value))];

    /// <summary>
    /// The value of query parameter <paramref name="name"/> (e.g. <c>token</c>) of the first link in the plain-text
    /// part that carries it, unescaped.
    /// </summary>
    public string LinkParameter(string name)
    {
        foreach (var link in Links)
        {
            foreach (var pair in link.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var separator = pair.IndexOf('=');
                if (separator > 0 && Uri.UnescapeDataString(pair[..separator]) == name)
                {
                    return Uri.UnescapeDataString(pair[(separator + 1)..]);
                }
            }
        }

        throw new InvalidOperationException($"No link in the message '{Subject}' to {string.Join(", ", To)} has a '{name}' parameter:\n{Text}");
    }
}

/// <summary>
/// Reads the local mail catcher (smtp4dev, the AppHost's <c>mail</c> resource) through its REST API:
/// <c>GET /api/messages?pageSize=N</c>, <c>/api/messages/{id}</c> (headers), <c>/plaintext</c> and <c>/html</c>.
/// </summary>
internal sealed class MailCatcher(Uri baseAddress) : IDisposable
{
    private const int PageSize = 1000;
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Pause = TimeSpan.FromMilliseconds(200);

    private readonly HttpClient _http = new() { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>
    /// Waits until a message to <paramref name="to"/> (that <paramref name="match"/> accepts, when given) has been
    /// caught, and returns the newest such message; throws <see cref="TimeoutException"/> listing what did arrive.
    /// </summary>
    public async Task<CaughtMail> WaitForMessageAsync(string to, Func<CaughtMail, bool>? match = null, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        IReadOnlyList<CaughtMail> seen = [];
        while (true)
        {
            seen = await MessagesToAsync(to);
            if (seen.FirstOrDefault(mail => match is null || match(mail)) is { } found)
            {
                return found;
            }

            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException(
                    $"No matching message to {to} arrived; {seen.Count} did: {string.Join("; ", seen.Select(mail => mail.Subject))}");
            }

            await Task.Delay(Pause);
        }
    }

    /// <summary>Every caught message with <paramref name="to"/> among its recipients, newest first.</summary>
    public async Task<IReadOnlyList<CaughtMail>> MessagesToAsync(string to)
    {
        var summaries = await SummariesAsync();
        var found = new List<CaughtMail>();
        foreach (var summary in summaries.Where(summary => summary.To.Contains(to, StringComparer.OrdinalIgnoreCase)))
        {
            found.Add(await ReadAsync(summary.Id));
        }

        return found;
    }

    /// <summary>How many messages the catcher holds with <paramref name="to"/> among their recipients (no bodies read).</summary>
    public async Task<int> CountToAsync(string to) =>
        (await SummariesAsync()).Count(summary => summary.To.Contains(to, StringComparer.OrdinalIgnoreCase));

    /// <summary>Every caught message's id, recipients and subject, newest first.</summary>
    public async Task<IReadOnlyList<(Guid Id, IReadOnlyList<string> To, string Subject, DateTimeOffset ReceivedAt)>> SummariesAsync()
    {
        using var document = JsonDocument.Parse(await _http.GetStringAsync($"/api/messages?pageSize={PageSize}"));
        return
        [
            .. document.RootElement.GetProperty("results").EnumerateArray()
                .Select(result => (
                    result.GetProperty("id").GetGuid(),
                    (IReadOnlyList<string>)[.. result.GetProperty("to").EnumerateArray().Select(address => address.GetString() ?? "")],
                    result.GetProperty("subject").GetString() ?? "",
                    result.GetProperty("receivedDate").GetDateTimeOffset()))
                .OrderByDescending(summary => summary.Item4),
        ];
    }

    public async Task<CaughtMail> ReadAsync(Guid id)
    {
        var details = await _http.GetFromJsonAsync<JsonElement>($"/api/messages/{id}");
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in details.GetProperty("headers").EnumerateArray())
        {
            headers.TryAdd(header.GetProperty("name").GetString()!, header.GetProperty("value").GetString() ?? "");
        }

        if (details.GetProperty("parts").EnumerateArray().FirstOrDefault() is { ValueKind: JsonValueKind.Object } root
            && root.GetProperty("headers").EnumerateArray().FirstOrDefault(header => header.GetProperty("name").GetString() == "Content-Type") is
            { ValueKind: JsonValueKind.Object } contentType)
        {
            headers.TryAdd("Content-Type", contentType.GetProperty("value").GetString() ?? "");
        }

        var text = details.GetProperty("hasPlainTextBody").GetBoolean() ? await _http.GetStringAsync($"/api/messages/{id}/plaintext") : "";
        var html = details.GetProperty("hasHtmlBody").GetBoolean() ? await _http.GetStringAsync($"/api/messages/{id}/html") : "";
        return new CaughtMail(
            id,
            [.. details.GetProperty("to").EnumerateArray().Select(address => address.GetString() ?? "")],
            details.GetProperty("subject").GetString() ?? "",
            text,
            html,
            headers);
    }

    public void Dispose() => _http.Dispose();
}
