using Azora.Api.Auth.Tokens;

namespace Azora.Api.Auth.ApiKeys;

/// <summary>
/// The key itself: <c>azk_</c> and 256 random bits (base64url), shown once. Stored only as its SHA-256 hash, like refresh
/// tokens: with 256 bits of entropy there is nothing to guess, so a slow password hash would add cost to every request
/// and no protection.
/// </summary>
public static class ApiKeyTokens
{
    public const string Prefix = "azk_";

    /// <summary>Longest key the handler hashes; anything longer is refused without a lookup.</summary>
    public const int MaximumLength = 64;

    private const int HintCharacters = 4;

    public static string Create() => Prefix + RefreshTokens.Create();

    public static byte[] Hash(string key) => RefreshTokens.Hash(key);

    /// <summary>What the owner sees to recognise a key: its prefix and last characters.</summary>
    public static string Hint(string key) => $"{Prefix}…{key[^HintCharacters..]}";

    public static bool LooksLikeKey(string? credential) => credential is not null && credential.StartsWith(Prefix, StringComparison.Ordinal);
}
