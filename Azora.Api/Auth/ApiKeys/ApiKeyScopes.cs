namespace Azora.Api.Auth.ApiKeys;

/// <summary>What a partner API key may do. A key is accepted only by endpoints marked with one of these scopes.</summary>
public static class ApiKeyScopes
{
    /// <summary>Webhook subscriptions: everything under <c>/api/webhooks</c>.</summary>
    public const string WebhooksManage = "webhooks:manage";

    /// <summary>Course authoring: creating, changing, publishing and deleting the owner's courses and lessons.</summary>
    public const string CoursesWrite = "courses:write";

    /// <summary>The catalog: categories, the course list and course details.</summary>
    public const string CatalogRead = "catalog:read";

    public static readonly string[] All = [WebhooksManage, CoursesWrite, CatalogRead];
}

/// <summary>
/// Endpoint metadata: API keys holding <see cref="Scope"/> are accepted here. Endpoints without it (account, password,
/// API-key management, administration, payments) accept access tokens only; <see cref="ApiKeyScopeGuard"/> refuses keys there.
/// </summary>
public sealed record ApiKeyScope(string Scope);

public static class ApiKeyScopeExtensions
{
    /// <summary>Also accepts API keys that hold <paramref name="scope"/> (with the endpoint's own role requirements).</summary>
    public static TBuilder AcceptsApiKeys<TBuilder>(this TBuilder endpoint, string scope)
        where TBuilder : IEndpointConventionBuilder =>
        endpoint.WithMetadata(new ApiKeyScope(scope));
}
