using System.Net;
using Azora.ServiceDefaults;

namespace Azora.Tests.Api;

/// <summary>
/// The address filter behind outgoing webhooks, range by range: every entry of IANA's IPv4 and IPv6 special-purpose
/// registries is refused, an IPv6 address carrying an IPv4 one is judged by it, and global unicast passes.
/// </summary>
public class WebhookTargetGuardTests
{
    private static readonly WebhookTargetGuard Production = new(allowHttp: false, allowLoopback: false);

    [Theory]
    // IPv4 special-purpose registry, with a first, a middle and a last address where the range is wider than one.
    [InlineData("0.0.0.0")]
    [InlineData("0.255.255.255")]
    [InlineData("10.0.0.0")]
    [InlineData("10.255.255.255")]
    [InlineData("100.64.0.1")]
    [InlineData("100.127.255.255")]
    [InlineData("127.0.0.1")]
    [InlineData("127.255.255.254")]
    [InlineData("169.254.169.254")]
    [InlineData("172.16.0.1")]
    [InlineData("172.31.255.255")]
    [InlineData("192.0.0.1")]
    [InlineData("192.0.0.9")]
    [InlineData("192.0.0.170")]
    [InlineData("192.0.2.10")]
    [InlineData("192.31.196.1")]
    [InlineData("192.52.193.1")]
    [InlineData("192.88.99.1")]
    [InlineData("192.168.0.1")]
    [InlineData("192.175.48.1")]
    [InlineData("198.18.0.1")]
    [InlineData("198.19.255.255")]
    [InlineData("198.51.100.7")]
    [InlineData("203.0.113.7")]
    [InlineData("224.0.0.1")]
    [InlineData("239.255.255.250")]
    [InlineData("240.0.0.1")]
    [InlineData("255.255.255.255")]
    // IPv6 special-purpose registry and the other non-global blocks.
    [InlineData("::")]
    [InlineData("::1")]
    [InlineData("::ffff:10.0.0.1")]
    [InlineData("::ffff:127.0.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("::10.0.0.1")]
    [InlineData("::8.8.8.8")]
    [InlineData("64:ff9b::10.0.0.1")]
    [InlineData("64:ff9b::127.0.0.1")]
    [InlineData("64:ff9b::169.254.169.254")]
    [InlineData("64:ff9b::198.18.0.1")]
    [InlineData("64:ff9b:1::8.8.8.8")]
    [InlineData("64:ff9b:1:ffff::1")]
    [InlineData("100::1")]
    [InlineData("2001::1")]
    [InlineData("2001:0:4136:e378:8000:63bf:3fff:fdd2")]
    [InlineData("2001:1::1")]
    [InlineData("2001:2::1")]
    [InlineData("2001:3::1")]
    [InlineData("2001:4:112::1")]
    [InlineData("2001:20::1")]
    [InlineData("2001:1ff::1")]
    [InlineData("2001:db8::1")]
    [InlineData("2002:0a00:0001::1")]
    [InlineData("2002:7f00:0001::1")]
    [InlineData("2002:a9fe:a9fe::1")]
    [InlineData("2002:c000:0201::1")]
    [InlineData("2620:4f:8000::1")]
    [InlineData("3fff::1")]
    [InlineData("3fff:fff::1")]
    [InlineData("5f00::1")]
    [InlineData("fc00::1")]
    [InlineData("fd12:3456::1")]
    [InlineData("fe80::1")]
    [InlineData("febf::1")]
    [InlineData("fec0::1")]
    [InlineData("ff02::1")]
    [InlineData("4000::1")]
    [InlineData("e000::1")]
    public void Special_purpose_addresses_are_refused(string address)
    {
        Assert.NotNull(Production.Refusal(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("93.184.216.34")]
    [InlineData("1.1.1.1")]
    [InlineData("9.255.255.255")]
    [InlineData("11.0.0.1")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.1")]
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.1")]
    [InlineData("192.0.1.1")]
    [InlineData("192.167.255.255")]
    [InlineData("192.169.0.1")]
    [InlineData("198.17.255.255")]
    [InlineData("198.20.0.1")]
    [InlineData("223.255.255.254")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::8.8.8.8")]
    [InlineData("2002:0808:0808::1")]
    [InlineData("2001:200::1")]
    [InlineData("2001:4860:4860::8888")]
    [InlineData("2606:4700::1111")]
    [InlineData("2620:4f:8001::1")]
    [InlineData("2a00:1450:4001::200e")]
    [InlineData("3fff:1000::1")]
    public void Global_unicast_addresses_are_allowed(string address)
    {
        Assert.Null(Production.Refusal(IPAddress.Parse(address)));
    }

    [Fact]
    public void The_reason_names_the_range_and_the_ipv4_address_an_ipv6_one_carries()
    {
        Assert.Contains("198.18.0.0/15", Production.Refusal(IPAddress.Parse("198.18.0.1")));
        Assert.Contains("10.0.0.1", Production.Refusal(IPAddress.Parse("64:ff9b::10.0.0.1")));
        Assert.Contains("Teredo", Production.Refusal(IPAddress.Parse("2001:0:4136:e378:8000:63bf:3fff:fdd2")));
    }

    [Fact]
    public void Loopback_is_allowed_only_where_configured_and_never_through_a_translator()
    {
        var development = new WebhookTargetGuard(allowHttp: true, allowLoopback: true);

        Assert.Null(development.Refusal(IPAddress.Loopback));
        Assert.Null(development.Refusal(IPAddress.IPv6Loopback));
        Assert.Null(development.Refusal(IPAddress.Parse("::ffff:127.0.0.1")));
        Assert.NotNull(development.Refusal(IPAddress.Parse("64:ff9b::127.0.0.1")));
        Assert.NotNull(development.Refusal(IPAddress.Parse("2002:7f00:0001::1")));
        Assert.NotNull(development.Refusal(IPAddress.Parse("10.0.0.1")));
        Assert.NotNull(Production.Refusal(IPAddress.Loopback));
    }
}
