using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Azora.Api.Validation;
using Azora.Tests.Stack;

namespace Azora.Tests.Api;

/// <summary>
/// Text with control characters (U+0000, which PostgreSQL refuses, and the rest of C0 and C1 but tab, line feed and
/// carriage return) is a 400 naming the field, wherever the API reads it. The sweep takes every operation, parameter and
/// body field from the OpenAPI document, so an endpoint added later is covered without being listed here.
/// </summary>
[Collection(StackCollection.Name)]
public class ControlCharacterTests(AzoraStackFixture stack)
{
    private const string Dirty = "a\u0000b";

    [Fact]
    public async Task Every_parameter_and_body_field_of_every_operation_refuses_control_characters()
    {
        using var client = stack.CreateApiClient();
        var everyRole = await SignInWithEveryRoleAsync(client);
        using var document = JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json"));
        var schemas = document.RootElement.GetProperty("components").GetProperty("schemas");

        var checkedFields = 0;
        var failures = new List<string>();
        foreach (var (method, template, operation) in Operations(document.RootElement))
        {
            var parameters = operation.TryGetProperty("parameters", out var list) ? list.EnumerateArray().ToList() : [];
            foreach (var parameter in parameters)
            {
                var name = parameter.GetProperty("name").GetString()!;
                var isUuid = parameter.TryGetProperty("schema", out var schema) && schema.TryGetProperty("format", out var format) && format.GetString() == "uuid";
                using var request = (parameter.GetProperty("in").GetString(), isUuid) switch
                {
                    ("query", _) => Request(method, Path(template) + "?" + name + "=" + Uri.EscapeDataString(Dirty), everyRole),
                    // Kestrel itself refuses a path with U+0000, so a route value carries U+0001.
                    ("path", false) => Request(method, Path(template, name, Uri.EscapeDataString("a\u0001b")), everyRole),
                    ("header", _) => Request(method, Path(template), everyRole, header: (name, "a\u0001b")),
                    _ => null,
                };
                if (request is not null)
                {
                    checkedFields++;
                    await Expect(client, request, name, $"{method} {template} {name}", failures);
                }
            }

            foreach (var field in BodyFields(operation, schemas))
            {
                var body = new JsonObject { [field.Name] = field.IsArray ? new JsonArray(Dirty) : Dirty };
                using var request = Request(method, Path(template), everyRole, body);
                checkedFields++;
                await Expect(client, request, field.IsArray ? $"{field.Name}[0]" : field.Name, $"{method} {template} body {field.Name}", failures);
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        // Query strings, route values, the Idempotency-Key header and the fields of eleven bodies.
        Assert.True(checkedFields > 50, $"Only {checkedFields} fields were swept; is the document read right?");
    }

    [Theory]
    [InlineData("\u0001")]
    [InlineData("\u001f")]
    [InlineData("\u007f")]
    [InlineData("\u0085")]
    public async Task Each_control_character_is_refused_and_named_in_a_nested_field(string control)
    {
        using var client = stack.CreateApiClient();

        using var response = await client.PostAsync("/api/auth/login", new StringContent(
            JsonSerializer.Serialize(new { email = "ada@example.com", extra = new object[] { 1, new { notes = new[] { "fine", "x" + control } } } }),
            Encoding.UTF8, "application/json"));

        await ProblemAssert.IsValidationProblemAsync(response, "extra[1].notes[1]");
    }

    [Fact]
    public async Task A_query_parameter_name_with_a_control_character_is_named_printably()
    {
        using var client = stack.CreateApiClient();

        using var response = await client.GetAsync("/api/education/courses?x%00y=1");

        await ProblemAssert.IsValidationProblemAsync(response, "xU+0000y");
    }

    [Fact]
    public async Task Tab_line_feed_and_carriage_return_are_text_like_any_other()
    {
        using var client = stack.CreateApiClient();

        using var response = await client.GetAsync("/api/education/courses?q=" + Uri.EscapeDataString("two\twords\r\n"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("""{"name":"\u0000"}""", "name")]
    [InlineData("""{"lessons":[{"title":"ok"},{"title":"\u0007"}]}""", "lessons[1].title")]
    [InlineData("""["ok","\u0000"]""", "[1]")]
    [InlineData("\"\\u0000\"", "body")]
    [InlineData("""{"a":{"b":[[1,2],["\u0002"]]}}""", "a.b[1][0]")]
    [InlineData("""{"n\u0000":1}""", "nU+0000")]
    public void The_json_path_of_the_first_dirty_string_names_the_field(string json, string field)
    {
        Assert.Equal(field, JsonBodyText.FindControlCharacters(Encoding.UTF8.GetBytes(json)));
    }

    [Theory]
    [InlineData("""{"name":"tab\tand\nnew line"}""")]
    [InlineData("""{"name": "not closed""")]
    [InlineData("plain text")]
    public void Clean_or_malformed_bodies_are_left_to_the_endpoint(string json)
    {
        Assert.Null(JsonBodyText.FindControlCharacters(Encoding.UTF8.GetBytes(json)));
    }

    private static async Task Expect(HttpClient client, HttpRequestMessage request, string field, string what, List<string> failures)
    {
        using var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.BadRequest || !text.Contains("\"VALIDATION_ERROR\"") || !text.Contains($"\"{field}\":["))
        {
            failures.Add($"{what}: {(int)response.StatusCode} {text}");
        }
    }

    private async Task<string> SignInWithEveryRoleAsync(HttpClient client)
    {
        var account = await TestAccounts.RegisterAsync(client, TestAccounts.NewEmail("every-role"));
        await stack.ExecuteAsync("UPDATE users SET roles = ARRAY['learner','instructor','admin'] WHERE id = @id", new { id = account.UserId });
        return (await TestAccounts.LoginAsync(client, account.Email)).AccessToken;
    }

    private static IEnumerable<(HttpMethod Method, string Template, JsonElement Operation)> Operations(JsonElement document) =>
        from path in document.GetProperty("paths").EnumerateObject()
        from operation in path.Value.EnumerateObject()
        select (new HttpMethod(operation.Name.ToUpperInvariant()), path.Name, operation.Value);

    private static IEnumerable<(string Name, bool IsArray)> BodyFields(JsonElement operation, JsonElement schemas)
    {
        if (!operation.TryGetProperty("requestBody", out var body)
            || !body.GetProperty("content").TryGetProperty("application/json", out var json)
            || !json.GetProperty("schema").TryGetProperty("$ref", out var reference))
        {
            yield break;
        }

        var schema = schemas.GetProperty(reference.GetString()!.Split('/')[^1]);
        foreach (var property in schema.GetProperty("properties").EnumerateObject())
        {
            var type = property.Value.TryGetProperty("type", out var t) ? t.ToString() : "";
            yield return (property.Name, type.Contains("array"));
        }
    }

    /// <summary>The template with a fresh id for every route value, or <paramref name="value"/> for <paramref name="name"/>.</summary>
    private static string Path(string template, string? name = null, string? value = null) =>
        System.Text.RegularExpressions.Regex.Replace(template, "\\{([^}]+)\\}", match => match.Groups[1].Value == name ? value! : Guid.NewGuid().ToString());

    private static HttpRequestMessage Request(HttpMethod method, string path, string bearer, JsonNode? body = null, (string Name, string Value)? header = null)
    {
        var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        if (header is { } extra)
        {
            request.Headers.TryAddWithoutValidation(extra.Name, extra.Value);
        }

        request.Content = new StringContent(body?.ToJsonString() ?? "{}", Encoding.UTF8, "application/json");
        return request;
    }
}
