namespace Azora.Api.OpenApi;

/// <summary>
/// A request or response type that shows itself in the contract: <see cref="Example"/> is serialized with the API's own
/// JSON options into the schema's <c>examples</c>, so an example can never drift from the type it illustrates.
/// </summary>
public interface IOpenApiExample<out TSelf>
{
    static abstract TSelf Example { get; }
}
