using System.Net;
using Azora.Api.RateLimiting;

namespace Azora.Tests.Api;

/// <summary>
/// Which peers may set the client address through X-Forwarded-For: exactly the configured networks and addresses
/// (RateLimitTests shows the forwarding itself through a running API).
/// </summary>
public sealed class TrustedProxyConfigurationTests
{
    [Fact]
    public void The_ingress_controller_network_and_a_single_proxy_address_are_trusted_and_nothing_else()
    {
        var (networks, addresses) = RateLimitServiceCollectionExtensions.ParseTrustedProxies(["10.42.0.0/16", "192.0.2.10"]);

        var network = Assert.Single(networks);
        Assert.Equal(System.Net.IPNetwork.Parse("10.42.0.0/16"), network);
        Assert.Equal([IPAddress.Parse("192.0.2.10")], addresses);
        Assert.False(network.Contains(IPAddress.Parse("10.43.0.7")), "a pod outside the ingress controller's network must not be trusted");
    }

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.300")]
    [InlineData("ingress-nginx")]
    public void An_entry_that_is_neither_a_network_nor_an_address_stops_the_start(string entry)
    {
        var error = Assert.Throws<InvalidOperationException>(() => RateLimitServiceCollectionExtensions.ParseTrustedProxies([entry]));

        Assert.Contains($"Azora:Api:TrustedProxies has '{entry}'", error.Message);
    }
}
