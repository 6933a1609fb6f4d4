namespace Azora.Api.OpenApi;

/// <summary>
/// Endpoint metadata: anonymous, but a signed-in caller (access token) gets a different answer, such as their drafts
/// or their progress; the contract lists the bearer scheme as an alternative to no credentials.
/// </summary>
public sealed class OptionalSignIn
{
    public static readonly OptionalSignIn Instance = new();

    private OptionalSignIn()
    {
    }
}

public static class OptionalSignInExtensions
{
    public static RouteHandlerBuilder WithOptionalSignIn(this RouteHandlerBuilder endpoint) =>
        endpoint.WithMetadata(OptionalSignIn.Instance).AllowAnonymous();
}
