using System.ComponentModel.DataAnnotations;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Azora.Api.OpenApi;

/// <summary>
/// Makes each schema say what the API does with it:
/// <list type="bullet">
/// <item>Request bodies (types named <c>…Request</c>) require only the members marked <see cref="RequiredAttribute"/>;
/// the handlers validate everything and answer 400 with the field's name, so the C# types stay nullable.</item>
/// <item>Responses require every member they always write; a member written only when set
/// (<see cref="JsonIgnoreCondition.WhenWritingNull"/>) is optional and, when present, never null.</item>
/// <item>Members marked <see cref="RefusedAttribute"/> are left out.</item>
/// <item><see cref="ClosedSetAttribute"/> becomes an <c>enum</c>; <see cref="IOpenApiExample{TSelf}"/> an example.</item>
/// <item>Problem details carry the API's own members (<c>code</c>, <c>traceId</c>).</item>
/// </list>
/// </summary>
internal sealed class ContractSchemas(IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json) : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonPropertyInfo is { } property)
        {
            DescribeProperty(schema, property);
            return Task.CompletedTask;
        }

        var type = context.JsonTypeInfo.Type;
        if (typeof(ProblemDetails).IsAssignableFrom(type))
        {
            DescribeProblem(schema, type);
        }
        else if (context.JsonTypeInfo.Kind == JsonTypeInfoKind.Object && schema.Properties is { Count: > 0 })
        {
            foreach (var refused in context.JsonTypeInfo.Properties.Where(member => Has<RefusedAttribute>(member)))
            {
                schema.Properties.Remove(refused.Name);
            }

            schema.Required = new SortedSet<string>(
                context.JsonTypeInfo.Properties.Where(member => schema.Properties.ContainsKey(member.Name) && IsRequired(type, member)).Select(member => member.Name),
                StringComparer.Ordinal);
        }

        if (ExampleOf(type) is JsonObject example)
        {
            // Only what the schema describes: members the contract leaves out (RefusedAttribute) are not shown either.
            foreach (var name in example.Select(member => member.Key).Where(name => schema.Properties?.ContainsKey(name) == false).ToList())
            {
                example.Remove(name);
            }

            schema.Examples = [example];
        }

        return Task.CompletedTask;
    }

    private static bool IsRequest(Type type) => type.Name.EndsWith("Request", StringComparison.Ordinal);

    private static bool IsRequired(Type owner, JsonPropertyInfo member) => IsRequest(owner)
        ? Has<RequiredAttribute>(member)
        : !IsWrittenOnlyWhenSet(member);

    private static bool Has<TAttribute>(JsonPropertyInfo member) where TAttribute : Attribute =>
        member.AttributeProvider?.IsDefined(typeof(TAttribute), inherit: true) == true;

    private static bool IsWrittenOnlyWhenSet(JsonPropertyInfo member) =>
        member.AttributeProvider?.GetCustomAttributes(typeof(JsonIgnoreAttribute), inherit: true)
            .OfType<JsonIgnoreAttribute>().Any(ignore => ignore.Condition == JsonIgnoreCondition.WhenWritingNull) == true;

    private static void DescribeProperty(OpenApiSchema schema, JsonPropertyInfo property)
    {
        var owner = property.DeclaringType;
        var required = IsRequest(owner) && Has<RequiredAttribute>(property);
        if ((required || IsWrittenOnlyWhenSet(property)) && schema.Type is { } type)
        {
            schema.Type = type & ~JsonSchemaType.Null;
        }

        if (property.AttributeProvider?.GetCustomAttributes(typeof(ClosedSetAttribute), inherit: true).OfType<ClosedSetAttribute>().FirstOrDefault()
            is { } closedSet)
        {
            var target = schema.Type?.HasFlag(JsonSchemaType.Array) == true && schema.Items is OpenApiSchema items ? items : schema;
            target.Enum = closedSet.Values.Select(value => (JsonNode)value).ToList();
        }
    }

    private static void DescribeProblem(OpenApiSchema schema, Type type)
    {
        schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
        schema.Properties["code"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Description = "Stable error code to branch on; see the code table in the API reference.",
        };
        schema.Properties["traceId"] = new OpenApiSchema
        {
            Type = JsonSchemaType.String,
            Description = "W3C trace id of the request, to quote to support.",
        };
        schema.Required = new SortedSet<string>(["code", "status", "title", "traceId"], StringComparer.Ordinal);
        if (type == typeof(HttpValidationProblemDetails))
        {
            schema.Description = "A problem; `errors` names each invalid field (`VALIDATION_ERROR`) and is absent when the body could " +
                "not be read at all (`MALFORMED_REQUEST`).";
        }
    }

    private JsonNode? ExampleOf(Type type)
    {
        var contract = type.GetInterfaces().FirstOrDefault(candidate =>
            candidate.IsGenericType && candidate.GetGenericTypeDefinition() == typeof(IOpenApiExample<>));
        if (contract is null)
        {
            return null;
        }

        var example = type.GetProperty(nameof(IOpenApiExample<object>.Example), BindingFlags.Public | BindingFlags.Static)!.GetValue(null);
        return JsonSerializer.SerializeToNode(example, type, json.Value.SerializerOptions);
    }
}
