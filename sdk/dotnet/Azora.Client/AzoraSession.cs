using Azora.Client.Generated.Models;

namespace Azora.Client;

/// <summary>
/// A signed-in user's tokens as an <see cref="AzoraClient"/> holds them. A refresh token is good for one exchange,
/// so an application that keeps sessions across restarts stores the new one after every refresh
/// (<see cref="AzoraClient.SessionChanged"/>) and gives it back with <see cref="AzoraClient.UseSession"/>.
/// </summary>
/// <param name="AccessToken">The JWT sent as <c>Authorization: Bearer</c>.</param>
/// <param name="RefreshToken">The single-use token that buys the next pair.</param>
/// <param name="ExpiresAt">When the access token expires (from the answer's <c>expiresIn</c>).</param>
/// <param name="User">Who signed in, as the API described them when the tokens were issued.</param>
public sealed record AzoraSession(string AccessToken, string RefreshToken, DateTimeOffset ExpiresAt, UserResponse? User)
{
    internal static AzoraSession From(TokenResponse tokens, TimeProvider time) => new(
        tokens.AccessToken ?? throw new InvalidOperationException("The token answer had no accessToken."),
        tokens.RefreshToken ?? throw new InvalidOperationException("The token answer had no refreshToken."),
        time.GetUtcNow() + TimeSpan.FromSeconds(tokens.ExpiresIn ?? throw new InvalidOperationException("The token answer had no expiresIn.")),
        tokens.User);
}
