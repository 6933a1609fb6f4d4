using System.Net;
using System.Text;
using Azora.Testing.Contract;

namespace Azora.Tests.Contract;

/// <summary>The response validator the whole-stack tests run every API response through, on a small document of its own.</summary>
public class OpenApiContractTests
{
    private const string Document = """
        {
          "openapi": "3.1.1",
          "info": { "title": "Things", "version": "v1" },
          "paths": {
            "/api/things/{id}": {
              "get": {
                "operationId": "GetThing",
                "responses": {
                  "200": {
                    "description": "OK",
                    "headers": {
                      "ETag": { "required": true, "schema": { "type": "string" } },
                      "X-Optional": { "schema": { "type": "string" } }
                    },
                    "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Thing" } } }
                  },
                  "404": { "$ref": "#/components/responses/NotFound" },
                  "5XX": { "description": "Server error", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }
                }
              },
              "delete": { "operationId": "DeleteThing", "responses": { "204": { "description": "No Content" } } }
            },
            "/api/things/latest": {
              "get": {
                "operationId": "GetLatestThing",
                "responses": { "200": { "description": "OK", "content": { "text/plain": { "schema": { "type": "string" } } } } }
              }
            }
          },
          "components": {
            "responses": {
              "NotFound": { "description": "Not Found", "content": { "application/problem+json": { "schema": { "$ref": "#/components/schemas/Problem" } } } }
            },
            "schemas": {
              "Thing": {
                "type": "object",
                "required": ["id", "name", "tags"],
                "properties": {
                  "id": { "type": "string", "format": "uuid" },
                  "name": { "type": "string" },
                  "tags": { "type": "array", "items": { "$ref": "#/components/schemas/Tag" } },
                  "archivedAt": { "type": ["null", "string"], "format": "date-time" },
                  "labels": { "type": "object", "additionalProperties": { "type": "string" } }
                }
              },
              "Tag": { "type": "string", "enum": ["new", "old"] },
              "Problem": {
                "type": "object",
                "required": ["status", "code"],
                "properties": { "status": { "type": "integer" }, "code": { "type": "string" } }
              }
            }
          }
        }
        """;

    private const string Thing = """{"id":"9b2f6c1e-3f55-4a57-9d1e-0d6a1f0a4c11","name":"Lamp","tags":["new"],"archivedAt":null}""";

    private static readonly OpenApiContract Contract = OpenApiContract.Parse(Document);

    [Fact]
    public void A_declared_status_with_its_content_type_a_valid_body_and_its_required_headers_passes()
    {
        Assert.Empty(Check("GET", "/api/things/7", 200, "application/json; charset=utf-8", Thing));
    }

    [Fact]
    public void An_undeclared_status_fails_naming_the_operation_and_what_it_declares()
    {
        var violation = Assert.Single(Check("GET", "/api/things/7", 409, "application/problem+json", """{"status":409,"code":"CONFLICT"}"""));

        Assert.Contains("GetThing (GET /api/things/{id}) answered 409, which it does not declare (declared: 200, 404, 5XX)", violation);
    }

    [Fact]
    public void A_status_range_and_a_referenced_response_are_declared_statuses()
    {
        Assert.Empty(Check("GET", "/api/things/7", 503, "application/problem+json", """{"status":503,"code":"UNAVAILABLE"}"""));
        Assert.Empty(Check("GET", "/api/things/7", 404, "application/problem+json", """{"status":404,"code":"NOT_FOUND"}"""));
        Assert.NotEmpty(Check("GET", "/api/things/7", 404, "application/problem+json", """{"status":404}"""));
    }

    [Fact]
    public void A_body_missing_a_required_field_fails_with_the_schema_error()
    {
        var violation = Assert.Single(Check("GET", "/api/things/7", 200, "application/json", """{"id":"9b2f6c1e-3f55-4a57-9d1e-0d6a1f0a4c11","tags":[]}"""));

        Assert.Contains("GetThing (GET /api/things/{id}) answered 200 (application/json) with a body that breaks its schema", violation);
        Assert.Contains("name", violation);
    }

    [Theory]
    [InlineData("""{"id":"9b2f6c1e-3f55-4a57-9d1e-0d6a1f0a4c11","name":"Lamp","tags":["shiny"]}""", "/tags/0")]
    [InlineData("""{"id":"9b2f6c1e-3f55-4a57-9d1e-0d6a1f0a4c11","name":7,"tags":[]}""", "/name")]
    [InlineData("""{"id":"not-a-uuid","name":"Lamp","tags":[]}""", "/id")]
    [InlineData("""{"id":"9b2f6c1e-3f55-4a57-9d1e-0d6a1f0a4c11","name":"Lamp","tags":[],"archivedAt":"yesterday"}""", "/archivedAt")]
    public void A_wrong_value_in_a_referenced_schema_or_a_broken_format_fails_at_its_location(string body, string location)
    {
        var violation = Assert.Single(Check("GET", "/api/things/7", 200, "application/json", body));

        Assert.Contains($"{location}: ", violation);
    }

    [Fact]
    public void A_member_the_schema_does_not_declare_fails_unless_the_schema_allows_other_members()
    {
        var violation = Assert.Single(Check("GET", "/api/things/7", 200, "application/json", """{"id":"9b2f6c1e-3f55-4a57-9d1e-0d6a1f0a4c11","name":"Lamp","tags":[],"colour":"red"}"""));
        Assert.Contains("colour", violation);

        Assert.Empty(Check("GET", "/api/things/7", 200, "application/json", """{"id":"9b2f6c1e-3f55-4a57-9d1e-0d6a1f0a4c11","name":"Lamp","tags":[],"labels":{"colour":"red"}}"""));
    }

    [Fact]
    public void A_body_that_is_not_json_fails()
    {
        Assert.Contains("the body is not JSON", Assert.Single(Check("GET", "/api/things/7", 200, "application/json", "<html>")));
    }

    [Fact]
    public void A_content_type_the_status_does_not_declare_fails()
    {
        var violation = Assert.Single(Check("GET", "/api/things/7", 200, "text/html", "<p>Lamp</p>"));

        Assert.Contains("GetThing (GET /api/things/{id}) answered 200 with Content-Type text/html; the document declares application/json for 200", violation);
    }

    [Fact]
    public void A_body_where_none_is_declared_and_no_body_where_one_is_both_fail()
    {
        Assert.Contains("with a body (application/json) where the document declares none for 204", Assert.Single(Check("DELETE", "/api/things/7", 204, "application/json", "{}")));
        Assert.Contains("with an empty body; the document declares application/json", Assert.Single(Check("GET", "/api/things/7", 200, null, "")));
        Assert.Empty(Check("DELETE", "/api/things/7", 204, null, ""));
    }

    [Fact]
    public void A_required_header_that_is_missing_fails_and_an_optional_one_may_be_missing()
    {
        var violations = Contract.Check(new ContractExchange("GET", "/api/things/7", 200, "application/json", Thing, _ => false));

        Assert.Equal("GetThing (GET /api/things/{id}) answered 200 without the header ETag, which the document marks required", Assert.Single(violations));
    }

    [Fact]
    public void A_method_the_path_does_not_declare_must_answer_405()
    {
        Assert.Empty(Check("PUT", "/api/things/7", 405, null, ""));

        var violation = Assert.Single(Check("PUT", "/api/things/7", 200, "application/json", Thing));
        Assert.Equal("PUT /api/things/7: /api/things/{id} declares no PUT operation, yet it answered 200 (expected 405)", violation);
    }

    [Fact]
    public void A_literal_path_wins_over_a_template_and_trailing_slashes_and_case_do_not_matter()
    {
        Assert.Empty(Check("GET", "/api/things/latest", 200, "text/plain", "Lamp"));
        Assert.Empty(Check("GET", "/API/Things/latest/", 200, "text/plain", "Lamp"));
        Assert.Contains("GetLatestThing", Assert.Single(Check("GET", "/api/things/latest", 200, "application/json", Thing)));
    }

    [Theory]
    [InlineData("/health")]
    [InlineData("/alive")]
    [InlineData("/metrics")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/scalar/v1")]
    public void Requests_outside_the_document_are_not_checked(string path)
    {
        Assert.Empty(Check("GET", path, 200, "text/plain", "anything"));
    }

    [Fact]
    public void A_path_in_no_template_must_answer_404()
    {
        Assert.Empty(Check("GET", "/api/nothing-here", 404, "application/problem+json", """{"status":404}"""));
        Assert.Contains("is in no path of the document, yet answered 200 (expected 404)", Assert.Single(Check("GET", "/api/nothing-here", 200, "application/json", "{}")));
        Assert.NotEmpty(Check("GET", "/healthy", 200, "text/plain", "anything"));
    }

    [Fact]
    public async Task The_handler_fails_the_request_with_the_operation_status_and_errors_and_otherwise_leaves_the_body_readable()
    {
        using var client = new HttpClient(new ContractValidatingHandler(new Answering(HttpStatusCode.OK, """{"id":"9b2f6c1e-3f55-4a57-9d1e-0d6a1f0a4c11","name":"Lamp","tags":[]}""", etag: true), Contract))
        {
            BaseAddress = new Uri("http://things.test"),
        };
        using var valid = await client.GetAsync("/api/things/7?expand=all");
        Assert.Contains("Lamp", await valid.Content.ReadAsStringAsync());

        using var failing = new HttpClient(new ContractValidatingHandler(new Answering(HttpStatusCode.Conflict, """{"status":409,"code":"CONFLICT"}""", etag: false), Contract))
        {
            BaseAddress = new Uri("http://things.test"),
        };
        var error = await Assert.ThrowsAsync<ContractViolationException>(() => failing.GetAsync("/api/things/7?expand=all"));
        Assert.Contains("The response to GET /api/things/7?expand=all breaks the OpenAPI document", error.Message);
        Assert.Contains("GetThing (GET /api/things/{id}) answered 409", error.Message);
        Assert.Contains("""{"status":409,"code":"CONFLICT"}""", error.Message);
    }

    [Fact]
    public void The_checked_in_document_loads_and_refuses_a_wrong_body()
    {
        var contract = OpenApiContract.CheckedIn;

        var refused = contract.Check(new ContractExchange("GET", "/api/education/categories", 200, "application/json", "[1, 2, 3]", _ => true));
        Assert.Contains("ListCategories (GET /api/education/categories) answered 200", Assert.Single(refused));
        Assert.Empty(contract.Check(new ContractExchange("GET", "/metrics", 200, "text/plain", "# HELP", _ => true)));
    }

    private static IReadOnlyList<string> Check(string method, string path, int status, string? contentType, string body) =>
        Contract.Check(new ContractExchange(method, path, status, contentType, body, name => name.Equals("ETag", StringComparison.OrdinalIgnoreCase)));

    private sealed class Answering(HttpStatusCode status, string body, bool etag) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = new HttpResponseMessage(status)
            {
                Content = new StringContent(body, Encoding.UTF8, status == HttpStatusCode.OK ? "application/json" : "application/problem+json"),
                RequestMessage = request,
            };
            if (etag)
            {
                response.Headers.ETag = new System.Net.Http.Headers.EntityTagHeaderValue("\"1\"");
            }

            return Task.FromResult(response);
        }
    }
}
