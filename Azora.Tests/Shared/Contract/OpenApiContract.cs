// Compiled into Azora.Tests and Azora.EndToEnd.
using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Json.Schema;

namespace Azora.Testing.Contract;

/// <summary>One response as the API sent it, with the request that asked for it.</summary>
/// <param name="Path">The request's absolute path, without the query.</param>
/// <param name="ContentType">The Content-Type header, or null when there is none.</param>
/// <param name="HasHeader">Whether the response carries a header of that name (case-insensitive).</param>
internal sealed record ContractExchange(string Method, string Path, int Status, string? ContentType, string Body, Func<string, bool> HasHeader);

/// <summary>
/// The OpenAPI document as a contract every response must keep: the operation is found by method and path template,
/// and its status, content type, body (against the JSON Schema 2020-12 the document declares) and required headers are
/// checked. Requests outside the document (health, metrics, the document itself, the interactive reference) are not.
/// </summary>
internal sealed partial class OpenApiContract
{
    /// <summary>What the API serves besides the documented operations; responses there are not checked.</summary>
    public static readonly IReadOnlyList<string> OutsideTheDocument = ["/health", "/alive", "/metrics", "/openapi", "/scalar"];

    private static readonly Lazy<OpenApiContract> CheckedInContract = new(() => Load(FindCheckedInDocument()));

    private readonly JsonNode _document;
    private readonly List<PathTemplate> _paths;
    private readonly JsonObject _definitions;
    // Lazy: tests send requests in parallel, and a schema is registered under its URI once only.
    private readonly ConcurrentDictionary<string, Lazy<JsonSchema>> _schemas = new();
    private readonly BuildOptions _buildOptions = new() { SchemaRegistry = new SchemaRegistry() };

    private OpenApiContract(JsonNode document)
    {
        _document = document;
        _paths = (document["paths"] as JsonObject ?? [])
            .Select(path => new PathTemplate(path.Key, (JsonObject)path.Value!))
            .OrderBy(path => path, PathTemplate.MostSpecificFirst)
            .ToList();
        // OpenAPI refers to its schemas as #/components/schemas/X; a JSON Schema validator knows #/$defs/X.
        _definitions = (JsonObject)ForJsonSchema(document["components"]?["schemas"]?.DeepClone() as JsonObject ?? [])!;
    }

    /// <summary>The checked-in document, openapi/v1.json at the root of the repository the tests were built from.</summary>
    public static OpenApiContract CheckedIn => CheckedInContract.Value;

    public static OpenApiContract Parse(string json) =>
        new(JsonNode.Parse(json) ?? throw new ArgumentException("The OpenAPI document is empty.", nameof(json)));

    public static OpenApiContract Load(string path) => Parse(File.ReadAllText(path));

    /// <summary>
    /// What is wrong with the response by the document: nothing (an empty list) when it keeps the contract or lies
    /// outside the document. Each entry names the operation and the status.
    /// </summary>
    public IReadOnlyList<string> Check(ContractExchange exchange)
    {
        var path = exchange.Path.Length > 1 ? exchange.Path.TrimEnd('/') : exchange.Path;
        if (OutsideTheDocument.Any(prefix => path.Equals(prefix, StringComparison.OrdinalIgnoreCase) || path.StartsWith(prefix + "/", StringComparison.OrdinalIgnoreCase) || path.StartsWith(prefix + ".", StringComparison.OrdinalIgnoreCase)))
        {
            return [];
        }

        var method = exchange.Method.ToLowerInvariant();
        var request = $"{exchange.Method.ToUpperInvariant()} {exchange.Path}";
        var template = _paths.FirstOrDefault(candidate => candidate.Matches(path));
        if (template is null)
        {
            return exchange.Status == 404 ? [] : [$"{request} is in no path of the document, yet answered {exchange.Status} (expected 404)"];
        }

        if (template.Item[method] is not JsonObject operation)
        {
            return exchange.Status == 405 ? [] : [$"{request}: {template.Template} declares no {exchange.Method.ToUpperInvariant()} operation, yet it answered {exchange.Status} (expected 405)"];
        }

        var name = $"{operation["operationId"]?.GetValue<string>() ?? "(no operationId)"} ({exchange.Method.ToUpperInvariant()} {template.Template})";
        var status = exchange.Status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var responses = Resolve(operation["responses"]) as JsonObject ?? [];
        var (declaredStatus, declared) = responses.TryGetPropertyValue(status, out var exact) ? (status, exact)
            : responses.TryGetPropertyValue($"{status[0]}XX", out var range) ? ($"{status[0]}XX", range)
            : responses.TryGetPropertyValue("default", out var fallback) ? ("default", fallback)
            : (status, null);
        if (Resolve(declared) is not JsonObject response)
        {
            return [$"{name} answered {status}, which it does not declare (declared: {string.Join(", ", responses.Select(entry => entry.Key))})"];
        }

        var at = $"{name} answered {status}";
        var violations = new List<string>();
        foreach (var (header, value) in Resolve(response["headers"]) as JsonObject ?? [])
        {
            if (Resolve(value)?["required"]?.GetValue<bool>() == true && !exchange.HasHeader(header))
            {
                violations.Add($"{at} without the header {header}, which the document marks required");
            }
        }

        var content = Resolve(response["content"]) as JsonObject ?? [];
        var mediaType = exchange.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        var hasBody = exchange.Body.Length > 0 && !exchange.Method.Equals("HEAD", StringComparison.OrdinalIgnoreCase);
        if (!hasBody)
        {
            if (content.Count > 0 && !exchange.Method.Equals("HEAD", StringComparison.OrdinalIgnoreCase))
            {
                violations.Add($"{at} with an empty body; the document declares {string.Join(", ", content.Select(entry => entry.Key))}");
            }

            return violations;
        }

        if (content.Count == 0)
        {
            violations.Add($"{at} with a body ({mediaType ?? "no Content-Type"}) where the document declares none for {declaredStatus}");
            return violations;
        }

        var media = content.FirstOrDefault(entry => MediaTypeMatches(entry.Key, mediaType));
        if (media.Key is null)
        {
            violations.Add($"{at} with Content-Type {mediaType ?? "(none)"}; the document declares {string.Join(", ", content.Select(entry => entry.Key))} for {declaredStatus}");
            return violations;
        }

        if (media.Value?["schema"] is { } schema && IsJson(mediaType!))
        {
            violations.AddRange(ValidateBody($"{name} {declaredStatus} {media.Key}", schema, exchange.Body).Select(error => $"{at} ({mediaType}) with a body that breaks its schema: {error}"));
        }

        return violations;
    }

    private IEnumerable<string> ValidateBody(string key, JsonNode schema, string body)
    {
        JsonDocument instance;
        try
        {
            instance = JsonDocument.Parse(body);
        }
        catch (JsonException ex)
        {
            return [$"the body is not JSON ({ex.Message})"];
        }

        using (instance)
        {
            var compiled = _schemas.GetOrAdd(key, _ => new Lazy<JsonSchema>(() => Compile(key, schema))).Value;
            var results = compiled.Evaluate(instance.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List, RequireFormatValidation = true });
            if (results.IsValid)
            {
                return [];
            }

            var errors = (results.Details ?? [])
                .Where(detail => detail.Errors is { Count: > 0 })
                .SelectMany(detail => detail.Errors!.Select(error => $"{(detail.InstanceLocation.ToString() is { Length: > 0 } location ? location : "/")}: {error.Value} [{detail.EvaluationPath}]"))
                .Distinct()
                .ToList();
            return errors.Count == 0 ? ["the body does not validate"] : errors.Take(12).Append(errors.Count > 12 ? $"…and {errors.Count - 12} more" : "").Where(error => error.Length > 0);
        }
    }

    private JsonSchema Compile(string key, JsonNode schema)
    {
        var root = ForJsonSchema(schema.DeepClone()) as JsonObject ?? new JsonObject { ["allOf"] = new JsonArray(ForJsonSchema(schema.DeepClone())) };
        root["$schema"] = "https://json-schema.org/draft/2020-12/schema";
        root["$defs"] = _definitions.DeepClone();
        var id = new Uri($"https://contract.azora.test/{Uri.EscapeDataString(key)}");
        using var json = JsonDocument.Parse(root.ToJsonString());
        return JsonSchema.Build(json.RootElement.Clone(), _buildOptions, id);
    }

    /// <summary>Follows a local <c>$ref</c> (to a response, header or media type of the components).</summary>
    private JsonNode? Resolve(JsonNode? node)
    {
        for (var depth = 0; depth < 16 && node is JsonObject item && item["$ref"]?.GetValue<string>() is { } reference; depth++)
        {
            node = reference.StartsWith("#/", StringComparison.Ordinal)
                ? reference[2..].Split('/').Select(part => part.Replace("~1", "/").Replace("~0", "~")).Aggregate((JsonNode?)_document, (current, part) => current?[part])
                : throw new NotSupportedException($"Only local references are supported: {reference}");
        }

        return node;
    }

    /// <summary>
    /// An OpenAPI schema as the validator reads it: references to <c>#/components/schemas/X</c> point at <c>#/$defs/X</c>,
    /// and an object that lists its properties allows no other member unless it says so (<c>additionalProperties</c>):
    /// a member the document does not declare is one no client generated from it can read.
    /// </summary>
    private static JsonNode? ForJsonSchema(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject item:
                foreach (var (property, value) in item.ToList())
                {
                    if (property == "$ref" && value?.GetValueKind() == JsonValueKind.String && value.GetValue<string>().StartsWith("#/components/schemas/", StringComparison.Ordinal))
                    {
                        item[property] = "#/$defs/" + value.GetValue<string>()["#/components/schemas/".Length..];
                    }
                    else if (property is "example" or "examples" or "default" or "const" or "enum")
                    {
                        // Instances, not schemas.
                    }
                    else if (property is "properties" or "$defs" or "patternProperties" or "dependentSchemas" && value is JsonObject named)
                    {
                        // Member names here are names, not keywords: only their values are schemas.
                        foreach (var (_, schema) in named)
                        {
                            ForJsonSchema(schema);
                        }
                    }
                    else
                    {
                        ForJsonSchema(value);
                    }
                }

                if (item["properties"] is JsonObject && !item.ContainsKey("additionalProperties") && !item.ContainsKey("unevaluatedProperties") && !item.ContainsKey("patternProperties"))
                {
                    item["unevaluatedProperties"] = false;
                }

                return item;
            case JsonArray items:
                foreach (var value in items)
                {
                    ForJsonSchema(value);
                }

                return items;
            default:
                return node;
        }
    }

    private static bool MediaTypeMatches(string declared, string? actual)
    {
        if (actual is null)
        {
            return false;
        }

        declared = declared.Split(';')[0].Trim().ToLowerInvariant();
        return declared == actual || declared == "*/*" || (declared.EndsWith("/*", StringComparison.Ordinal) && actual.StartsWith(declared[..^1], StringComparison.Ordinal));
    }

    private static bool IsJson(string mediaType) => mediaType == "application/json" || mediaType.EndsWith("+json", StringComparison.Ordinal);

    private static string FindCheckedInDocument()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var document = Path.Combine(directory.FullName, "openapi", "v1.json");
            if (File.Exists(Path.Combine(directory.FullName, "Azora.sln")) && File.Exists(document))
            {
                return document;
            }
        }

        throw new InvalidOperationException("openapi/v1.json not found above the test output.");
    }

    /// <summary>A path of the document, e.g. <c>/api/education/courses/{courseId}</c>, matched the way ASP.NET routes.</summary>
    private sealed partial class PathTemplate(string template, JsonObject item)
    {
        private readonly Regex _pattern = new(
            "^" + Parameter().Split(template).Select(Regex.Escape).Aggregate((left, right) => left + "[^/]+" + right) + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        public string Template => template;

        public JsonObject Item => item;

        /// <summary>Literal segments before parameters: <c>/webhooks/events</c> wins over <c>/webhooks/{id}</c>.</summary>
        public static IComparer<PathTemplate> MostSpecificFirst { get; } = Comparer<PathTemplate>.Create((left, right) =>
        {
            var leftSegments = left.Template.Split('/');
            var rightSegments = right.Template.Split('/');
            for (var index = 0; index < Math.Min(leftSegments.Length, rightSegments.Length); index++)
            {
                var order = leftSegments[index].Contains('{').CompareTo(rightSegments[index].Contains('{'));
                if (order != 0)
                {
                    return order;
                }
            }

            return string.CompareOrdinal(left.Template, right.Template);
        });

        public bool Matches(string path) => _pattern.IsMatch(path);

        [GeneratedRegex(@"\{[^}]+\}")]
        private static partial Regex Parameter();
    }
}
