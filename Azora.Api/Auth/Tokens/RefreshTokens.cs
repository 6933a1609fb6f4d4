using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace Azora.Api.Auth.Tokens;

/// <summary>Opaque refresh tokens: 256 random bits, handed out once, kept only as their SHA-256 hash.</summary>
public static class RefreshTokens
{
    private const int TokenBytes = 32;

    public static string Create() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(TokenBytes));

    /// <summary>The stored form. Anything a client sends is hashed, so odd input simply finds no row.</summary>
    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
