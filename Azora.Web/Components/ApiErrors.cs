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

    private static string Reference(AzoraApiException error) => error.TraceId is { } trace ? $" (reference {trace})" : "";
}
