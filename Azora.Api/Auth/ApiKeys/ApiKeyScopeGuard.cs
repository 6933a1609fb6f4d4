using Azora.Api.Errors;
using Microsoft.Net.Http.Headers;

namespace Azora.Api.Auth.ApiKeys;

/// <summary>
/// Runs after authentication and before authorization. A request authenticated by an API key goes on only to an
/// endpoint marked <see cref="ApiKeyScope"/> whose scope the key holds: everything else (account, password, API-key
/// management, administration, payments) is 403 <c>API_KEY_NOT_ACCEPTED</c>, a missing scope 403 <c>INSUFFICIENT_SCOPE</c>.
/// Deny by default, so a new endpoint never accepts keys by accident.
/// </summary>
public sealed class ApiKeyScopeGuard(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext http)
    {
        var endpoint = http.GetEndpoint();
        if (endpoint is null || ApiKeyAuthentication.KeyIdOf(http.User) is null)
        {
            return next(http);
        }

        var accepted = endpoint.Metadata.GetOrderedMetadata<ApiKeyScope>();
        if (accepted.Count == 0)
        {
            return ApiProblems.Problem(StatusCodes.Status403Forbidden, ErrorCodes.ApiKeyNotAccepted,
                "This endpoint accepts access tokens only, never API keys; sign in as a person.").ExecuteAsync(http);
        }

        if (!accepted.Any(scope => http.User.HasClaim(ApiKeyAuthentication.ScopeClaim, scope.Scope)))
        {
            var needed = string.Join(' ', accepted.Select(scope => scope.Scope));
            http.Response.Headers[HeaderNames.WWWAuthenticate] = $"Bearer error=\"insufficient_scope\", scope=\"{needed}\"";
            return ApiProblems.Problem(StatusCodes.Status403Forbidden, ErrorCodes.InsufficientScope,
                $"This API key lacks the scope this endpoint needs: {needed}.").ExecuteAsync(http);
        }

        return next(http);
    }
}
