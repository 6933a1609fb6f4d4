using Azora.Api.OpenApi;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Azora.Api.Auth.ApiKeys;

public static class ApiKeyServiceCollectionExtensions
{
    public const string OpenApiScheme = "ApiKey";

    /// <summary>
    /// The API-key scheme, the policy scheme that picks it or JWT bearer by the token's <c>azk_</c> prefix, the key store
    /// and its cache with the listener that keeps replicas' caches honest, and the OpenAPI description of it all.
    /// </summary>
    public static AuthenticationBuilder AddAzoraApiKeys(this AuthenticationBuilder authentication)
    {
        var services = authentication.Services;
        services.AddSingleton<ApiKeyStore>();
        services.AddSingleton<ApiKeyCache>();
        services.AddHostedService<ApiKeyChangeListener>();
        services.Configure<OpenApiOptions>("v1", DescribeApiKeys);
        return authentication
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthentication.Scheme, null)
            .AddPolicyScheme(ApiKeyAuthentication.SelectorScheme, "Access token or API key",
                options => options.ForwardDefaultSelector = ApiKeyAuthentication.SelectScheme);
    }

    /// <summary>Refuses API keys wherever they are not accepted; between authentication (and its rate limit) and authorization.</summary>
    public static IApplicationBuilder UseApiKeyScopes(this IApplicationBuilder app) => app.UseMiddleware<ApiKeyScopeGuard>();

    private static void DescribeApiKeys(OpenApiOptions options)
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[OpenApiScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "azk_…",
                Description = "A partner API key from POST /api/auth/api-keys, sent as `Authorization: Bearer azk_…`. Accepted only by " +
                    "operations that list it, with the scope they name; everywhere else 403 API_KEY_NOT_ACCEPTED.",
            };
            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            var scopes = metadata.OfType<ApiKeyScope>().Select(scope => scope.Scope).ToList();
            if (scopes.Count == 0)
            {
                return Task.CompletedTask;
            }

            operation.Security ??= [];
            if (metadata.OfType<IAllowAnonymous>().Any() && operation.Security.FirstOrDefault() is not { Count: 0 })
            {
                // Open to everyone; a key is optional (its requests count against the key's own rate limit).
                operation.Security.Add(new OpenApiSecurityRequirement());
            }

            operation.Security.Add(new OpenApiSecurityRequirement
            {
                [new OpenApiSecuritySchemeReference(OpenApiScheme, context.Document)] = scopes,
            });
            operation.Description = $"{operation.Description} API keys with the scope `{string.Join("` or `", scopes)}` are accepted.".Trim();
            // A key without the scope, or whose owner lost the role or was disabled, is refused even where anonymous callers are not.
            operation.Responses ??= [];
            operation.Responses.TryAdd("403", new OpenApiResponseReference("Forbidden", context.Document));
            return Task.CompletedTask;
        });
    }
}
