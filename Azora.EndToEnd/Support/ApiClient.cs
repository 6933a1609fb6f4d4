using System.Text.Json;
using Azora.Testing.Contract;
using Microsoft.Playwright;

namespace Azora.EndToEnd.Support;

/// <summary>
/// A Playwright API request context that records every exchange in the journey's <see cref="RequestLog"/>, and holds
/// every response to the <paramref name="contract"/> when it has one (the API's; the Stripe emulator has none).
/// </summary>
internal sealed class ApiClient(IAPIRequestContext context, RequestLog log, OpenApiContract? contract = null) : IAsyncDisposable
{
    public RequestLog Log => log;

    public Task<ApiResponse> GetAsync(string path, string? bearer = null) => SendAsync("GET", path, null, bearer);

    public Task<ApiResponse> PostAsync(string path, object? body = null, string? bearer = null) => SendAsync("POST", path, body, bearer);

    public Task<ApiResponse> PatchAsync(string path, object body, string? bearer = null) => SendAsync("PATCH", path, body, bearer);

    public Task<ApiResponse> DeleteAsync(string path, string? bearer = null) => SendAsync("DELETE", path, null, bearer);

    private async Task<ApiResponse> SendAsync(string method, string path, object? body, string? bearer)
    {
        var headers = new Dictionary<string, string>();
        var options = new APIRequestContextOptions { Method = method, Headers = headers };
        string? json = null;
        if (body is not null)
        {
            json = JsonSerializer.Serialize(body, JsonSerializerOptions.Web);
            options.DataString = json;
            headers["Content-Type"] = "application/json";
        }

        if (bearer is not null)
        {
            headers["Authorization"] = $"Bearer {bearer}";
        }

        log.Request(method, path, json);
        var response = await context.FetchAsync(path, options);
        try
        {
            var text = await response.TextAsync();
            log.Response(response.Status, response.StatusText, response.Headers, text);
            // Every API response keeps the checked-in OpenAPI document, or the journey fails here with what differs.
            var received = response.Headers;
            if (contract is not null)
            {
                ContractValidation.Enforce(
                    contract,
                    new ContractExchange(method, new Uri(response.Url).AbsolutePath, response.Status, received.GetValueOrDefault("content-type"), text, name => received.ContainsKey(name.ToLowerInvariant())),
                    $"{method} {path}");
            }

            return new ApiResponse($"{method} {path}", response.Status, received, text);
        }
        finally
        {
            await response.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => context.DisposeAsync();
}

/// <summary>A response read in full, with assertions that quote the exchange when they fail.</summary>
internal sealed class ApiResponse(string request, int status, IReadOnlyDictionary<string, string> headers, string text)
{
    public JsonElement Json
    {
        get
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
    }

    /// <summary>A header's value (Playwright gives names in lower case); fails the journey when it is absent.</summary>
    public string Header(string name) =>
        headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : throw new Xunit.Sdk.XunitException($"{request}: no {name} header.");

    public ApiResponse Expect(int expected)
    {
        Assert.True(status == expected, $"{request} answered {status}, expected {expected}: {text}");
        return this;
    }

    /// <summary>An RFC 9457 problem with this status and Azora error code.</summary>
    public ApiResponse ExpectProblem(int expected, string code)
    {
        Expect(expected);
        Assert.StartsWith("application/problem+json", Header("Content-Type"));
        Assert.Equal(code, Json.GetProperty("code").GetString());
        return this;
    }
}
