using Azora.Client.Generated.Models;
using Azora.Client.Http;
using Microsoft.Kiota.Abstractions;

namespace Azora.Client;

public sealed partial class AzoraClient
{
    /// <summary>The signed-in user's profile (operation <c>GetProfile</c>).</summary>
    public async Task<ProfileResponse> GetProfileAsync(CancellationToken cancellationToken = default) =>
        Required(await Api.Api.Auth.Profile.GetAsync(cancellationToken: cancellationToken).ConfigureAwait(false));

    /// <summary>Changes the profile (operation <c>UpdateProfile</c>): a null argument is left as it is, an empty
    /// <paramref name="bio"/> clears it. <c>400 VALIDATION_ERROR</c> names the field in <see cref="AzoraApiException.Errors"/>.</summary>
    public async Task<ProfileResponse> UpdateProfileAsync(string? name = null, string? bio = null, CancellationToken cancellationToken = default) =>
        Required(await SendAsync(
            Method.PATCH, "/api/auth/profile", new JsonBody(("name", name), ("bio", bio)), ProfileResponse.CreateFromDiscriminatorValue, cancellationToken: cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Creates an API key for the signed-in instructor or admin (operation <c>CreateApiKey</c>) with some of
    /// <see cref="AzoraApiKeyScopes"/>. The answer's <c>Key</c> is shown this once: store it.
    /// </summary>
    public async Task<CreatedApiKeyResponse> CreateApiKeyAsync(string name, IEnumerable<string> scopes, DateTimeOffset? expiresAt = null, CancellationToken cancellationToken = default) =>
        Required(await SendAsync(
            Method.POST, "/api/auth/api-keys", new JsonBody(("name", name), ("scopes", scopes), ("expiresAt", expiresAt)), CreatedApiKeyResponse.CreateFromDiscriminatorValue,
            cancellationToken: cancellationToken).ConfigureAwait(false));

    /// <summary>My API keys that are not revoked, oldest first, without the keys themselves (operation <c>ListApiKeys</c>).</summary>
    public async Task<IReadOnlyList<ApiKeyResponse>> ListApiKeysAsync(CancellationToken cancellationToken = default) =>
        Required(await Api.Api.Auth.ApiKeys.GetAsync(cancellationToken: cancellationToken).ConfigureAwait(false));

    /// <summary>Revokes one of my API keys at once, on every replica (operation <c>RevokeApiKey</c>).</summary>
    public Task RevokeApiKeyAsync(Guid id, CancellationToken cancellationToken = default) =>
        Api.Api.Auth.ApiKeys[id].DeleteAsync(cancellationToken: cancellationToken);
}

/// <summary>The scopes an API key can have.</summary>
public static class AzoraApiKeyScopes
{
    /// <summary>Every <c>/api/webhooks</c> operation.</summary>
    public const string WebhooksManage = "webhooks:manage";

    /// <summary>Every course-management operation.</summary>
    public const string CoursesWrite = "courses:write";

    /// <summary>The catalog: categories, courses, one course.</summary>
    public const string CatalogRead = "catalog:read";
}
