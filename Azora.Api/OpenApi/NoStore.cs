namespace Azora.Api.OpenApi;

/// <summary>
/// Endpoint metadata and filter for responses that carry tokens: <c>Cache-Control: no-store</c> and
/// <c>Pragma: no-cache</c> (RFC 6749 §5.1), so no browser, proxy or CDN keeps a copy of them. The OpenAPI document
/// declares the two headers on the endpoint's success responses.
/// </summary>
public sealed class NoStore
{
    public static readonly NoStore Instance = new();

    private NoStore()
    {
    }
}

public static class NoStoreExtensions
{
    public static RouteHandlerBuilder WithNoStore(this RouteHandlerBuilder endpoint) => endpoint
        .WithMetadata(NoStore.Instance)
        .AddEndpointFilter(async (context, next) =>
        {
            var headers = context.HttpContext.Response.Headers;
            headers.CacheControl = "no-store";
            headers.Pragma = "no-cache";
            return await next(context);
        });
}
