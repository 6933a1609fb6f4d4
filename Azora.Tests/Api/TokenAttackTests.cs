using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azora.Tests.Stack;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Azora.Tests.Api;

/// <summary>
/// Tokens an attacker could present. Each forged token is built from a real session and, where a signature is
/// needed, signed with the stack's real Development key, so only the one thing under test is wrong; the control
/// test shows such a token is otherwise accepted.
/// </summary>
[Collection(StackCollection.Name)]
public class TokenAttackTests(AzoraStackFixture stack)
{
    private const string Issuer = "https://api.azora.world";
    private const string Audience = "azora-api";

    [Fact]
    public async Task Control_a_token_signed_with_the_real_key_and_right_claims_is_accepted()
    {
        var (client, session) = await SignedInAsync();

        using var response = await client.GetAsync("/api/auth/profile", Forge(session));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_token_whose_payload_was_changed_is_refused()
    {
        var (client, session) = await SignedInAsync();
        var parts = session.AccessToken.Split('.');
        var payload = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Base64UrlEncoder.Decode(parts[1]))!;
        payload["roles"] = JsonSerializer.SerializeToElement(new[] { "admin" });
        var tampered = $"{parts[0]}.{Base64UrlEncoder.Encode(JsonSerializer.Serialize(payload))}.{parts[2]}";

        await AssertRefusedAsync(client, tampered, "not valid");
    }

    [Fact]
    public async Task A_token_whose_signature_was_changed_is_refused()
    {
        var (client, session) = await SignedInAsync();
        var signature = Base64UrlEncoder.DecodeBytes(session.AccessToken.Split('.')[2]);
        signature[^1] ^= 0x01;
        var tampered = session.AccessToken[..(session.AccessToken.LastIndexOf('.') + 1)] + Base64UrlEncoder.Encode(signature);

        await AssertRefusedAsync(client, tampered, "not valid");
    }

    [Fact]
    public async Task An_unsigned_alg_none_token_is_refused()
    {
        var (client, session) = await SignedInAsync();
        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT"}""");
        var payload = session.AccessToken.Split('.')[1];

        await AssertRefusedAsync(client, $"{header}.{payload}.", "not valid");
    }

    [Fact]
    public async Task An_hs256_token_keyed_with_the_public_key_is_refused()
    {
        var (client, session) = await SignedInAsync();
        var publicPem = RealKey().Rsa.ExportSubjectPublicKeyInfoPem();
        var hmac = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(publicPem)) { KeyId = RealKey().KeyId };

        await AssertRefusedAsync(client, Forge(session, credentials: new SigningCredentials(hmac, SecurityAlgorithms.HmacSha256)), "not valid");
    }

    [Fact]
    public async Task A_token_signed_by_another_key_with_the_same_key_id_is_refused()
    {
        var (client, session) = await SignedInAsync();
        var impostor = new RsaSecurityKey(RSA.Create(2048)) { KeyId = RealKey().KeyId };

        await AssertRefusedAsync(client, Forge(session, credentials: new SigningCredentials(impostor, SecurityAlgorithms.RsaSha256)), "not valid");
    }

    [Fact]
    public async Task An_expired_token_is_refused_and_says_so()
    {
        var (client, session) = await SignedInAsync();
        var issued = DateTime.UtcNow.AddHours(-1);

        await AssertRefusedAsync(client, Forge(session, issuedAt: issued, expires: issued.AddMinutes(15)), "expired");
    }

    [Theory]
    [InlineData("https://evil.example", Audience)]
    [InlineData(Issuer, "another-api")]
    public async Task A_token_for_another_issuer_or_audience_is_refused(string issuer, string audience)
    {
        var (client, session) = await SignedInAsync();

        await AssertRefusedAsync(client, Forge(session, issuer: issuer, audience: audience), "not valid");
    }

    [Fact]
    public async Task No_token_gets_a_bearer_challenge()
    {
        using var client = stack.CreateApiClient();

        using var response = await client.GetAsync("/api/auth/profile");

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Contains("Bearer", problem.GetProperty("detail").GetString());
    }

    private async Task<(HttpClient Client, SignedIn Session)> SignedInAsync()
    {
        var client = stack.CreateApiClient();
        return (client, await TestAccounts.RegisterAsync(client));
    }

    private static async Task AssertRefusedAsync(HttpClient client, string token, string detail)
    {
        using (client)
        {
            using var response = await client.GetAsync("/api/auth/profile", token);
            var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
            Assert.Contains(detail, problem.GetProperty("detail").GetString());
            Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString());
        }
    }

    private RsaSecurityKey RealKey()
    {
        var rsa = RSA.Create();
        rsa.ImportFromPem(File.ReadAllText(stack.SigningKeyFile));
        var key = new RsaSecurityKey(rsa);
        key.KeyId = Base64UrlEncoder.Encode(key.ComputeJwkThumbprint());
        return key;
    }

    /// <summary>A copy of the session's token with the given parts changed.</summary>
    private string Forge(
        SignedIn session, SigningCredentials? credentials = null, string issuer = Issuer, string audience = Audience,
        DateTime? issuedAt = null, DateTime? expires = null)
    {
        var original = new JsonWebToken(session.AccessToken);
        var now = issuedAt ?? DateTime.UtcNow;
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = expires ?? now.AddMinutes(15),
            SigningCredentials = credentials ?? new SigningCredentials(RealKey(), SecurityAlgorithms.RsaSha256),
            Claims = new Dictionary<string, object>
            {
                ["sub"] = original.Subject,
                ["jti"] = Guid.NewGuid().ToString("N"),
                ["sid"] = original.GetClaim("sid").Value,
                ["roles"] = new[] { "learner" },
            },
        });
    }
}
