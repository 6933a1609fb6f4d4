using System.Net;
using System.Security.Cryptography;
using Azora.Tests.Stack;

namespace Azora.Tests.Api;

/// <summary>The headers every response carries, whoever wrote it, and HSTS where TLS ends (at the ingress).</summary>
[Collection(StackCollection.Name)]
public class SecurityHeaderTests(AzoraStackFixture stack)
{
    [Theory]
    [InlineData("/", HttpStatusCode.OK)]
    [InlineData("/api/no-such-thing", HttpStatusCode.NotFound)]
    [InlineData("/api/auth/profile", HttpStatusCode.Unauthorized)]
    [InlineData("/api/education/courses?page=0", HttpStatusCode.BadRequest)]
    [InlineData("/health", HttpStatusCode.OK)]
    public async Task Every_api_response_says_nosniff_and_no_referrer(string path, HttpStatusCode status)
    {
        using var client = stack.CreateApiClient();

        using var response = await client.GetAsync(path);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("nosniff", response.Header("X-Content-Type-Options"));
        Assert.Equal("no-referrer", response.Header("Referrer-Policy"));
        // Development over plain http: no HSTS.
        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
    }

    [Fact]
    public async Task The_payments_worker_says_nosniff_and_no_referrer_too()
    {
        using var client = stack.CreatePaymentsClient();

        using var response = await client.GetAsync("/");

        Assert.Equal("nosniff", response.Header("X-Content-Type-Options"));
        Assert.Equal("no-referrer", response.Header("Referrer-Policy"));
    }

    [Fact]
    public async Task Outside_development_a_request_that_arrived_over_tls_gets_hsts_and_plain_http_does_not()
    {
        using var key = RSA.Create(2048);
        await using var api = await ApiInstance.StartAsync(stack, new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Azora:Auth:SigningKeys:0:Pem"] = key.ExportPkcs8PrivateKeyPem(),
            ["Azora:Api:TrustedProxies:0"] = "127.0.0.1/32",
        });

        using var overTls = new HttpRequestMessage(HttpMethod.Get, "/");
        overTls.Headers.Add("X-Forwarded-Proto", "https");
        using var secured = await api.Client.SendAsync(overTls);
        using var plain = await api.Client.GetAsync("/");

        Assert.Equal("max-age=31536000", secured.Header("Strict-Transport-Security"));
        Assert.False(plain.Headers.Contains("Strict-Transport-Security"));
        Assert.Equal("nosniff", plain.Header("X-Content-Type-Options"));
    }
}
