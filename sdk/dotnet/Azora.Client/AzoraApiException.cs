using System.Net.Http.Headers;
using System.Text.Json;

namespace Azora.Client;

/// <summary>
/// An error answer of the Azora API: every response with a status of 400 or more, whichever operation made it (the
/// convenience methods and the generated request builders alike). The API answers errors as RFC 9457 problems
/// (<c>application/problem+json</c>); their members are here. Branch on <see cref="Code"/>, never on
/// <see cref="Title"/> or <see cref="Detail"/>, which are for people and may change.
/// </summary>
public sealed class AzoraApiException : Exception
{
    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoErrors = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Creates the exception for an error answer.</summary>
    public AzoraApiException(
        int status, string? code, string? title, string? detail, string? traceId,
        IReadOnlyDictionary<string, IReadOnlyList<string>>? errors = null, TimeSpan? retryAfter = null, string? type = null, string? instance = null)
        : base(Describe(status, code, title, detail, errors))
    {
        Status = status;
        Code = code;
        Title = title;
        Detail = detail;
        TraceId = traceId;
        Errors = errors ?? NoErrors;
        RetryAfter = retryAfter;
        Type = type;
        Instance = instance;
    }

    /// <summary>The HTTP status (the problem's <c>status</c>, or the response's when the body had none).</summary>
    public int Status { get; }

    /// <summary>The stable error code, such as <c>VALIDATION_ERROR</c> or <c>RATE_LIMIT_EXCEEDED</c>; null when the
    /// answer was not a problem (for example a proxy's error page).</summary>
    public string? Code { get; }

    /// <summary>A short summary for people.</summary>
    public string? Title { get; }

    /// <summary>The explanation of this occurrence, for people.</summary>
    public string? Detail { get; }

    /// <summary>The W3C trace id of the request: quote it to support.</summary>
    public string? TraceId { get; }

    /// <summary>With <c>VALIDATION_ERROR</c>: the messages for each invalid field, by field name as sent
    /// (<c>email</c>, <c>lessons[1].title</c>). Empty otherwise.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Errors { get; }

    /// <summary>The response's <c>Retry-After</c>, when it had one (429 and some 503 answers).</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>The problem's <c>type</c> URI.</summary>
    public string? Type { get; }

    /// <summary>The problem's <c>instance</c>: the path of the request.</summary>
    public string? Instance { get; }

    /// <summary>Reads an error response (the caller disposes it).</summary>
    internal static async Task<AzoraApiException> FromResponseAsync(HttpResponseMessage response, TimeProvider time, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var retryAfter = RetryAfterOf(response.Headers.RetryAfter, time);
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is not null && (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase)))
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                using var document = JsonDocument.Parse(body);
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    var problem = document.RootElement;
                    return new AzoraApiException(
                        problem.TryGetProperty("status", out var s) && s.TryGetInt32(out var statusValue) ? statusValue : status,
                        StringOf(problem, "code"), StringOf(problem, "title"), StringOf(problem, "detail"), StringOf(problem, "traceId"),
                        ErrorsOf(problem), retryAfter, StringOf(problem, "type"), StringOf(problem, "instance"));
                }
            }
            catch (JsonException)
            {
                // Not JSON after all: described by its status below.
            }
        }

        return new AzoraApiException(status, null, response.ReasonPhrase, null, null, null, retryAfter);
    }

    internal static TimeSpan? RetryAfterOf(RetryConditionHeaderValue? header, TimeProvider time) => header switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.Zero,
        _ => null,
    };

    private static string? StringOf(JsonElement problem, string name) =>
        problem.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static Dictionary<string, IReadOnlyList<string>>? ErrorsOf(JsonElement problem)
    {
        if (!problem.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var byField = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var field in errors.EnumerateObject())
        {
            byField[field.Name] = field.Value.ValueKind switch
            {
                JsonValueKind.Array => field.Value.EnumerateArray().Where(message => message.ValueKind == JsonValueKind.String).Select(message => message.GetString()!).ToList(),
                JsonValueKind.String => [field.Value.GetString()!],
                _ => [],
            };
        }

        return byField;
    }

    private static string Describe(int status, string? code, string? title, string? detail, IReadOnlyDictionary<string, IReadOnlyList<string>>? errors)
    {
        var text = $"The Azora API answered {status}{(code is null ? "" : $" {code}")}: {detail ?? title ?? "no details"}";
        return errors is { Count: > 0 } ? $"{text} (invalid: {string.Join(", ", errors.Keys)})" : text;
    }
}
