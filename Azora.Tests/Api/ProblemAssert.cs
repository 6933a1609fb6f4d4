using System.Net;
using System.Text.Json;

namespace Azora.Tests.Api;

/// <summary>Checks a response against the API's documented error format (RFC 9457 plus code and traceId).</summary>
internal static class ProblemAssert
{
    public static async Task<JsonElement> IsProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(text);
        var body = document.RootElement.Clone();
        Assert.Equal((int)status, body.GetProperty("status").GetInt32());
        Assert.Equal(code, body.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("type").GetString()));
        Assert.Matches("^[0-9a-f]{32}$", body.GetProperty("traceId").GetString());
        return body;
    }

    public static async Task<JsonElement> IsValidationProblemAsync(HttpResponseMessage response, params string[] fields)
    {
        var body = await IsProblemAsync(response, HttpStatusCode.BadRequest, "VALIDATION_ERROR");
        var errors = body.GetProperty("errors");
        foreach (var field in fields)
        {
            Assert.True(errors.TryGetProperty(field, out var messages), $"No error for '{field}': {errors}");
            var texts = messages.EnumerateArray().Select(message => message.GetString()).ToList();
            Assert.NotEmpty(texts);
            Assert.All(texts, text => Assert.False(string.IsNullOrWhiteSpace(text)));
        }

        Assert.Equal(fields.Order(), errors.EnumerateObject().Select(error => error.Name).Order());
        return body;
    }
}
