using System.Text.Json;
using System.Text.RegularExpressions;
using Azora.Api.Errors;
using Azora.Tests.Stack;

namespace Azora.Tests.Api;

/// <summary>docs/api/API-REFERENCE.md and the running API's OpenAPI document describe the same API.</summary>
[Collection(StackCollection.Name)]
public partial class ApiReferenceTests(AzoraStackFixture stack)
{
    // Documented but not in the API's OpenAPI document on purpose: served by ServiceDefaults on every service, or by the
    // payments worker (Stripe's webhook).
    private static readonly string[] InfrastructureEndpoints =
        ["GET /health", "GET /alive", "GET /metrics", "GET /openapi/v1.json", "POST /webhooks/stripe"];

    private static readonly string Reference = File.ReadAllText(Repository.PathOf("docs/api/API-REFERENCE.md"));

    [Fact]
    public async Task Every_operation_in_the_openapi_document_has_a_section_in_the_reference()
    {
        var operations = await OpenApiOperationsAsync();

        Assert.NotEmpty(operations);
        var missing = operations.Where(operation => !Reference.Contains($"### `{operation}`")).ToList();
        Assert.True(missing.Count == 0, "Not in API-REFERENCE.md: " + string.Join(", ", missing));
    }

    [Fact]
    public async Task Every_operation_in_the_reference_exists_in_the_api()
    {
        var operations = await OpenApiOperationsAsync();

        var documented = DocumentedOperation().Matches(Reference).Select(match => match.Groups[1].Value).ToList();

        Assert.NotEmpty(documented);
        var unknown = documented.Except(operations).Except(InfrastructureEndpoints).ToList();
        Assert.True(unknown.Count == 0, "Documented but not served: " + string.Join(", ", unknown));
    }

    [Fact]
    public void The_error_code_table_lists_exactly_the_codes_the_api_uses()
    {
        var documented = DocumentedCode().Matches(Reference).Select(match => match.Groups[1].Value).ToHashSet();

        Assert.Empty(ErrorCodes.All.Except(documented));
        Assert.Empty(documented.Except(ErrorCodes.All));
    }

    [Fact]
    public async Task The_openapi_document_declares_the_bearer_scheme_on_the_operations_that_need_it()
    {
        using var client = stack.CreateApiClient();
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var root = document.RootElement;

        var scheme = root.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        Assert.Equal("JWT", scheme.GetProperty("bearerFormat").GetString());

        var paths = root.GetProperty("paths");
        Assert.True(paths.GetProperty("/api/auth/profile").GetProperty("get").TryGetProperty("security", out _));
        // Anonymous operations say so with one empty requirement, rather than leaving security unstated.
        var anonymous = paths.GetProperty("/api/auth/login").GetProperty("post").GetProperty("security");
        Assert.Equal(JsonValueKind.Object, Assert.Single(anonymous.EnumerateArray()).ValueKind);
        Assert.Empty(anonymous[0].EnumerateObject());

        var problem = root.GetProperty("components").GetProperty("schemas").GetProperty("ProblemDetails").GetProperty("properties");
        Assert.True(problem.TryGetProperty("code", out _));
        Assert.True(problem.TryGetProperty("traceId", out _));
        Assert.True(paths.GetProperty("/api/auth/login").GetProperty("post").GetProperty("responses").TryGetProperty("429", out _));
    }

    private async Task<List<string>> OpenApiOperationsAsync()
    {
        using var client = stack.CreateApiClient();
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        return document.RootElement.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(method => $"{method.Name.ToUpperInvariant()} {path.Name}"))
            .ToList();
    }

    [GeneratedRegex("^### `([A-Z]+ /[^`]*)`", RegexOptions.Multiline)]
    private static partial Regex DocumentedOperation();

    [GeneratedRegex("^\\| `([A-Z_]+)` \\| [0-9]{3} \\|", RegexOptions.Multiline)]
    private static partial Regex DocumentedCode();
}
