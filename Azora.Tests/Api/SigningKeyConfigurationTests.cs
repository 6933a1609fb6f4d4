using System.Net;
using System.Security.Cryptography;
using Azora.Tests.Stack;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Azora.Tests.Api;

/// <summary>Signing keys from configuration, as in staging and production, and their rotation.</summary>
[Collection(StackCollection.Name)]
public class SigningKeyConfigurationTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task Outside_development_the_api_refuses_to_start_without_a_configured_key()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            ApiInstance.StartAsync(stack, new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" }));

        Assert.Contains("Azora:Auth:SigningKeys is empty", failure.Message);
    }

    [Fact]
    public async Task A_broken_key_stops_the_start_with_a_clear_message()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ApiInstance.StartAsync(stack, new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Azora:Auth:SigningKeys:0:Pem"] = "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----",
        }));

        Assert.Contains("not a valid RSA key in PEM", failure.Message);
    }

    [Fact]
    public async Task During_rotation_the_new_key_signs_and_tokens_of_the_old_key_are_still_accepted()
    {
        using var newKey = RSA.Create(2048);
        using var oldKey = RSA.Create(2048);
        await using var api = await ApiInstance.StartAsync(stack, new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Azora:Auth:SigningKeys:0:KeyId"] = "2026-11",
            ["Azora:Auth:SigningKeys:0:Pem"] = newKey.ExportPkcs8PrivateKeyPem(),
            ["Azora:Auth:SigningKeys:1:KeyId"] = "2026-10",
            ["Azora:Auth:SigningKeys:1:Pem"] = oldKey.ExportSubjectPublicKeyInfoPem(),
        });

        var session = await TestAccounts.RegisterAsync(api.Client);
        Assert.Equal("2026-11", new JsonWebToken(session.AccessToken).Kid);

        var jwks = new JsonWebKeySet(await api.Client.GetStringAsync("/.well-known/jwks.json"));
        Assert.Equal(["2026-11", "2026-10"], jwks.Keys.Select(key => key.Kid));

        var signedByOldKey = Resign(session.AccessToken, new RsaSecurityKey(oldKey) { KeyId = "2026-10" });
        using (var accepted = await api.Client.GetAsync("/api/auth/profile", signedByOldKey))
        {
            Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
        }

        // No interactive reference outside Development; the OpenAPI document stays.
        using var scalar = await api.Client.GetAsync("/scalar/v1");
        await ProblemAssert.IsProblemAsync(scalar, HttpStatusCode.NotFound, "NOT_FOUND");
        using var openApi = await api.Client.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, openApi.StatusCode);
    }

    [Fact]
    public async Task The_interactive_reference_is_served_in_development()
    {
        using var client = stack.CreateApiClient();

        using var response = await client.GetAsync("/scalar/v1");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>The same claims, signed by another key.</summary>
    private static string Resign(string token, SecurityKey key)
    {
        var original = new JsonWebToken(token);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = original.Issuer,
            Audience = original.Audiences.Single(),
            IssuedAt = original.IssuedAt,
            NotBefore = original.ValidFrom,
            Expires = original.ValidTo,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.RsaSha256),
            Claims = new Dictionary<string, object>
            {
                ["sub"] = original.Subject,
                ["jti"] = original.Id,
                ["sid"] = original.GetClaim("sid").Value,
                ["roles"] = new[] { "learner" },
            },
        });
    }
}
