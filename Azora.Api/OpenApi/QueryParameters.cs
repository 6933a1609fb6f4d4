using Microsoft.OpenApi;

namespace Azora.Api.OpenApi;

/// <summary>
/// What a query parameter accepts. Handlers bind query values as strings and validate them themselves, so a bad value
/// is a 400 <c>VALIDATION_ERROR</c> naming the field; this metadata is what the contract says the valid values are.
/// </summary>
public sealed record QueryParameter(string Name, string Description, Func<OpenApiSchema> Schema);

public static class QueryParameterExtensions
{
    public static RouteHandlerBuilder WithQuery(this RouteHandlerBuilder endpoint, string name, string description, Func<OpenApiSchema> schema) =>
        endpoint.WithMetadata(new QueryParameter(name, description, schema));
}

/// <summary>Schemas for query values.</summary>
public static class QuerySchema
{
    public static Func<OpenApiSchema> Boolean { get; } = () => new OpenApiSchema { Type = JsonSchemaType.Boolean };

    public static Func<OpenApiSchema> Uuid { get; } = () => new OpenApiSchema { Type = JsonSchemaType.String, Format = "uuid" };

    public static Func<OpenApiSchema> Text(int maximumLength) =>
        () => new OpenApiSchema { Type = JsonSchemaType.String, MaxLength = maximumLength };

    public static Func<OpenApiSchema> Integer(int minimum, int maximum, int? fallback = null) => () => new OpenApiSchema
    {
        Type = JsonSchemaType.Integer,
        Format = "int32",
        Minimum = minimum.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Maximum = maximum.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Default = fallback,
    };

    public static Func<OpenApiSchema> OneOf(IEnumerable<string> values, string? fallback = null) => () => new OpenApiSchema
    {
        Type = JsonSchemaType.String,
        Enum = values.Select(value => (System.Text.Json.Nodes.JsonNode)value).ToList(),
        Default = fallback,
    };
}
