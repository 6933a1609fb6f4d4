using Azora.Client;
using Microsoft.Kiota.Abstractions.Serialization;

namespace Azora.Web.Components.Account;

/// <summary><c>GET /account/export</c>: everything the API holds about the signed-in person, as a JSON download.</summary>
public static class AccountExport
{
    public static IEndpointConventionBuilder MapAccountExport(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet("/account/export", async Task<IResult> (AzoraClient api, CancellationToken cancellationToken) =>
        {
            try
            {
                var export = await api.Api.Api.Auth.Account.Export.GetAsync(cancellationToken: cancellationToken);
                var json = await KiotaJsonSerializer.SerializeAsStringAsync(export!, serializeOnlyChangedValues: false, cancellationToken);
                return TypedResults.File(System.Text.Encoding.UTF8.GetBytes(json), "application/json", "azora-account.json");
            }
            catch (AzoraApiException ex)
            {
                return TypedResults.Problem(ApiErrors.Describe(ex), statusCode: ex.Status >= 500 ? StatusCodes.Status502BadGateway : ex.Status);
            }
        }).RequireAuthorization();
}
