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
    /// Verifies an email address with the <c>token</c> query parameter of the link in a verification mail (operation
    /// <c>VerifyEmail</c>); needs no session. A used, expired or unknown token is <c>400 INVALID_TOKEN</c>.
    /// </summary>
    public Task VerifyEmailAsync(string token, CancellationToken cancellationToken = default) =>
        Api.Api.Auth.VerifyEmail.PostAsync(new VerifyEmailRequest { Token = token }, cancellationToken: cancellationToken);

    /// <summary>Mails a new verification link to the signed-in account (operation <c>ResendVerificationEmail</c>).</summary>
    public async Task<VerificationSentResponse> ResendVerificationEmailAsync(CancellationToken cancellationToken = default) =>
        Required(await Api.Api.Auth.VerifyEmail.Resend.PostAsync(cancellationToken: cancellationToken).ConfigureAwait(false));

    /// <summary>
    /// Asks to move the signed-in account to <paramref name="email"/> (operation <c>ChangeEmail</c>): a link is mailed
    /// there, and the change applies when it is followed (<see cref="VerifyEmailAsync"/>).
    /// </summary>
    public async Task<VerificationSentResponse> ChangeEmailAsync(string email, string currentPassword, CancellationToken cancellationToken = default) =>
        Required(await SendAsync(
            Method.POST, "/api/auth/email", new JsonBody(("email", email), ("currentPassword", currentPassword)), VerificationSentResponse.CreateFromDiscriminatorValue,
            cancellationToken: cancellationToken).ConfigureAwait(false));

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
