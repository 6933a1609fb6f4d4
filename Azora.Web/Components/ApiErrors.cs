using Azora.Client;

namespace Azora.Web.Components;

/// <summary>What a person is told when the API refuses or fails: its own words, when to retry, never a stack trace.</summary>
public static class ApiErrors
{
    public static string Describe(AzoraApiException error) => error switch
    {
        { Status: 429, RetryAfter: { } wait } => $"Too many requests just now. Try again in {Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds))} seconds.",
        { Status: 429 } => "Too many requests just now. Try again in a minute.",
        { Status: >= 500 } => $"Azora is having trouble answering. Try again in a moment{Reference(error)}.",
        { Detail: { Length: > 0 } detail } => detail,
        _ => error.Title ?? "The request could not be completed.",
    };

    /// <summary>The API's message for one field of a form (its <c>errors</c> member), or null.</summary>
    public static string? ForField(AzoraApiException? error, string field) =>
        error is not null && error.Errors.FirstOrDefault(pair => string.Equals(pair.Key, field, StringComparison.OrdinalIgnoreCase)).Value is { Count: > 0 } messages
            ? string.Join(" ", messages)
            : null;

    /// <summary>The message for the form as a whole: the API's words unless they are all next to the fields.</summary>
    public static string? ForForm(AzoraApiException? error, params string[] fields) =>
        error is null || (error.Errors.Count > 0 && error.Errors.Keys.All(key => fields.Contains(key, StringComparer.OrdinalIgnoreCase)))
            ? null
            : Describe(error);

    private static string Reference(AzoraApiException error) => error.TraceId is { } trace ? $" (reference {trace})" : "";
}
