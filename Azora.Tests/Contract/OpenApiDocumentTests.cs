using System.Text.Json;
using Azora.Tests.Stack;

namespace Azora.Tests.Contract;

/// <summary>
/// The checked-in openapi/v1.json is the document the API makes: the one its build writes (Microsoft.Extensions.
/// ApiDescription.Server, to Azora.Api/obj/openapi/v1.json) and, in <see cref="ServedOpenApiDocumentTests"/>, the one
/// the running API serves at /openapi/v1.json.
/// </summary>
public class OpenApiDocumentTests
{
    private const string Update = "Run scripts/update-openapi.sh and commit openapi/v1.json.";

    /// <summary>Where the API's build writes the document (Azora.Api.csproj, OpenApiDocumentsDirectory).</summary>
    public static string GeneratedPath => Repository.PathOf("Azora.Api/obj/openapi/v1.json");

    [Fact]
    public async Task The_checked_in_document_is_the_one_the_build_generates()
    {
        Assert.True(File.Exists(GeneratedPath), $"{GeneratedPath} does not exist: build Azora.Api, whose build writes it. {Update}");

        AssertSameDocument("the document the build generates (Azora.Api/obj/openapi/v1.json)", await File.ReadAllTextAsync(GeneratedPath));
    }

    [Fact]
    public void The_comparison_names_the_first_differing_json_path_whatever_the_member_order()
    {
        using var checkedIn = JsonDocument.Parse("""{"paths":{"/api/a/{id}":{"get":{"operationId":"GetA","responses":{"200":{},"404":{}}}}},"openapi":"3.1.1"}""");
        using var reordered = JsonDocument.Parse("""{"openapi":"3.1.1","paths":{"/api/a/{id}":{"get":{"responses":{"404":{},"200":{}},"operationId":"GetA"}}}}""");
        using var changed = JsonDocument.Parse("""{"openapi":"3.1.1","paths":{"/api/a/{id}":{"get":{"operationId":"GetA","responses":{"200":{},"404":{"description":"x"}}}}}}""");
        using var flipped = JsonDocument.Parse("""{"required":true,"n":[1.0,2]}""");

        Assert.Null(JsonDifference.First(checkedIn.RootElement, reordered.RootElement));
        Assert.Equal(("/paths/~1api~1a~1{id}/get/responses/404/description", "nothing", "\"x\""), JsonDifference.First(checkedIn.RootElement, changed.RootElement));
        Assert.Equal(("/paths/~1api~1a~1{id}/get/responses/404", """{"description":"x"}""", "nothing"), JsonDifference.First(changed.RootElement, JsonDocument.Parse("""{"openapi":"3.1.1","paths":{"/api/a/{id}":{"get":{"operationId":"GetA","responses":{"200":{}}}}}}""").RootElement));
        Assert.Equal(("/required", "true", "false"), JsonDifference.First(flipped.RootElement, JsonDocument.Parse("""{"required":false,"n":[1,2]}""").RootElement));
        Assert.Null(JsonDifference.First(flipped.RootElement, JsonDocument.Parse("""{"n":[1,2.00],"required":true}""").RootElement));
        Assert.Equal(("/n/2", "nothing", "3"), JsonDifference.First(flipped.RootElement, JsonDocument.Parse("""{"required":true,"n":[1,2,3]}""").RootElement));
    }

    /// <summary>Fails with the first JSON path where the checked-in document and <paramref name="document"/> differ.</summary>
    internal static void AssertSameDocument(string what, string document)
    {
        using var checkedIn = JsonDocument.Parse(File.ReadAllText(Repository.PathOf("openapi/v1.json")));
        using var other = JsonDocument.Parse(document);

        if (JsonDifference.First(checkedIn.RootElement, other.RootElement) is var (pointer, expected, actual))
        {
            Assert.Fail($"openapi/v1.json differs from {what}, first at {pointer}: the checked-in document has {expected}, the other {actual}. {Update}");
        }
    }
}

[Collection(StackCollection.Name)]
public class ServedOpenApiDocumentTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task The_checked_in_document_is_the_one_the_running_api_serves()
    {
        using var client = stack.CreateApiClient();

        using var response = await client.GetAsync("/openapi/v1.json");

        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        OpenApiDocumentTests.AssertSameDocument("the document the running API serves at /openapi/v1.json", await response.Content.ReadAsStringAsync());
    }
}
