// Compiled into Azora.Tests and Azora.EndToEnd.
using System.Text.Json;

namespace Azora.Testing;

/// <summary>The session an auth endpoint answers with (register, login, refresh).</summary>
internal sealed record SignedIn(string AccessToken, string RefreshToken, Guid UserId, string Email)
{
    public static SignedIn Read(JsonElement body)
    {
        var user = body.GetProperty("user");
        return new SignedIn(
            body.GetProperty("accessToken").GetString()!,
            body.GetProperty("refreshToken").GetString()!,
            user.GetProperty("id").GetGuid(),
            user.GetProperty("email").GetString()!);
    }
}
