using System.Net;
using System.Security.Cryptography;
using Azora.Tests.Stack;

namespace Azora.Tests.Api;

/// <summary>
/// Settings that aim a service at test doubles (Stripe's API elsewhere, plain-http or loopback webhook targets) stop
/// the start of either service in Production, and only there: Staging may run against the Stripe emulator.
/// </summary>
[Collection(StackCollection.Name)]
public class DevelopmentSwitchTests(AzoraStackFixture stack)
{
    [Theory]
    [InlineData(false, "Azora:Stripe:ApiBase", "http://127.0.0.1:9")]
    [InlineData(false, "Azora:Webhooks:AllowHttp", "true")]
    [InlineData(false, "Azora:Webhooks:AllowLoopback", "true")]
    [InlineData(true, "Azora:Stripe:ApiBase", "http://127.0.0.1:9")]
    [InlineData(true, "Azora:Webhooks:AllowHttp", "true")]
    [InlineData(true, "Azora:Webhooks:AllowLoopback", "true")]
    public async Task In_production_a_development_switch_stops_the_start(bool paymentsWorker, string setting, string value)
    {
        var settings = Environment("Production");
        settings[setting] = value;

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ApiInstance.StartAsync(stack, settings, paymentsWorker: paymentsWorker));

        Assert.Contains($"{setting} is", failure.Message);
        Assert.Contains("refused in Production", failure.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Staging_may_use_the_stripe_emulator_and_test_webhook_targets(bool paymentsWorker)
    {
        var settings = Environment("Staging");
        settings["Azora:Stripe:ApiBase"] = stack.App.GetEndpoint("stripe", "http").ToString();
        settings["Azora:Webhooks:AllowHttp"] = "true";
        settings["Azora:Webhooks:AllowLoopback"] = "true";

        await using var instance = await ApiInstance.StartAsync(stack, settings, paymentsWorker: paymentsWorker);

        using var alive = await instance.Client.GetAsync("/alive");
        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
    }

    /// <summary>
    /// An environment other than Development, with the signing key the API then needs from configuration and the SMTP
    /// relay the worker then needs.
    /// </summary>
    private Dictionary<string, string> Environment(string name)
    {
        using var key = RSA.Create(2048);
        return new Dictionary<string, string>(ApiInstance.MailRelaySettings(stack))
        {
            ["ASPNETCORE_ENVIRONMENT"] = name,
            ["Azora:Auth:SigningKeys:0:Pem"] = key.ExportPkcs8PrivateKeyPem(),
        };
    }
}
