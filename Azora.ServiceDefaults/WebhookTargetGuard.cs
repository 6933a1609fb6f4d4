using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Azora.ServiceDefaults;

/// <summary>The development switches of <see cref="WebhookTargetGuard"/>, under <c>Azora:Webhooks</c>; both refused in Production.</summary>
public sealed class WebhookTargetOptions
{
    public const string Section = "Azora:Webhooks";

    /// <summary>Accept plain <c>http</c> targets (Development and tests).</summary>
    public bool AllowHttp { get; set; }

    /// <summary>Accept loopback targets (Development and tests).</summary>
    public bool AllowLoopback { get; set; }
}

public static class WebhookTargetGuardRegistration
{
    /// <summary>
    /// <see cref="WebhookTargetGuard"/> from <see cref="WebhookTargetOptions"/>; in Production either switch stops the
    /// start, so partner webhooks never go out unencrypted or to the host itself.
    /// </summary>
    public static IServiceCollection AddWebhookTargetGuard(this IServiceCollection services)
    {
        services.AddOptions<WebhookTargetOptions>().BindConfiguration(WebhookTargetOptions.Section)
            .Validate<IHostEnvironment>(
                (options, environment) => !environment.IsProduction() || !options.AllowHttp,
                $"{WebhookTargetOptions.Section}:AllowHttp is true: it is for Development and tests and refused in Production; remove it.")
            .Validate<IHostEnvironment>(
                (options, environment) => !environment.IsProduction() || !options.AllowLoopback,
                $"{WebhookTargetOptions.Section}:AllowLoopback is true: it is for Development and tests and refused in Production; remove it.")
            .ValidateOnStart();
        return services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<WebhookTargetOptions>>().Value;
            return new WebhookTargetGuard(options.AllowHttp, options.AllowLoopback);
        });
    }
}

/// <summary>
/// Both services use it, the API when a subscription is saved and the payments worker on every connection it opens to
/// deliver, so it lives with what every Azora service shares; it is outbound-request security, not data.
/// Server-side request forgery guard for partner webhook URLs: only https (plain http and loopback only where a
/// setting allows them, in Development and tests), and only global unicast addresses: nothing in IANA's IPv4 or IPv6
/// special-purpose registries (loopback, private, link-local such as 169.254.169.254, carrier-grade NAT, benchmarking,
/// documentation, multicast, reserved…), and no IPv6 address outside 2000::/3. Addresses that carry an IPv4 address
/// (IPv4-mapped, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by that IPv4 address. Checked when a subscription is
/// saved and again on every connection (DNS can change), on the addresses the name resolves to.
/// </summary>
public sealed class WebhookTargetGuard(bool allowHttp, bool allowLoopback)
{
    /// <summary>IANA IPv4 Special-Purpose Address Registry, every entry (the few marked globally reachable are anycast
    /// infrastructure, never a partner's receiver), plus multicast and the reserved 240/4.</summary>
    private static readonly (IPNetwork Range, string Name)[] SpecialIPv4 =
    [
        (IPNetwork.Parse("0.0.0.0/8"), "this network"),
        (IPNetwork.Parse("10.0.0.0/8"), "private use"),
        (IPNetwork.Parse("100.64.0.0/10"), "shared address space (carrier-grade NAT)"),
        (IPNetwork.Parse("127.0.0.0/8"), "loopback"),
        (IPNetwork.Parse("169.254.0.0/16"), "link-local"),
        (IPNetwork.Parse("172.16.0.0/12"), "private use"),
        (IPNetwork.Parse("192.0.0.0/24"), "IETF protocol assignments"),
        (IPNetwork.Parse("192.0.2.0/24"), "documentation (TEST-NET-1)"),
        (IPNetwork.Parse("192.31.196.0/24"), "AS112-v4"),
        (IPNetwork.Parse("192.52.193.0/24"), "AMT"),
        (IPNetwork.Parse("192.88.99.0/24"), "deprecated 6to4 relay anycast"),
        (IPNetwork.Parse("192.168.0.0/16"), "private use"),
        (IPNetwork.Parse("192.175.48.0/24"), "direct delegation AS112 service"),
        (IPNetwork.Parse("198.18.0.0/15"), "benchmarking"),
        (IPNetwork.Parse("198.51.100.0/24"), "documentation (TEST-NET-2)"),
        (IPNetwork.Parse("203.0.113.0/24"), "documentation (TEST-NET-3)"),
        (IPNetwork.Parse("224.0.0.0/4"), "multicast"),
        (IPNetwork.Parse("240.0.0.0/4"), "reserved, and limited broadcast"),
    ];

    /// <summary>IANA IPv6 Special-Purpose Address Registry, every entry, plus the other non-global blocks; the first match names the refusal.</summary>
    private static readonly (IPNetwork Range, string Name)[] SpecialIPv6 =
    [
        (IPNetwork.Parse("::/128"), "unspecified"),
        (IPNetwork.Parse("::/96"), "IPv4-compatible (deprecated)"),
        (IPNetwork.Parse("64:ff9b:1::/48"), "local-use IPv4/IPv6 translation"),
        (IPNetwork.Parse("100::/64"), "discard-only"),
        (IPNetwork.Parse("2001::/32"), "Teredo"),
        (IPNetwork.Parse("2001::/23"), "IETF protocol assignments"),
        (IPNetwork.Parse("2001:db8::/32"), "documentation"),
        (IPNetwork.Parse("2620:4f:8000::/48"), "direct delegation AS112 service"),
        (IPNetwork.Parse("3fff::/20"), "documentation"),
        (IPNetwork.Parse("5f00::/16"), "segment routing (SRv6) SIDs"),
        (IPNetwork.Parse("fc00::/7"), "unique-local"),
        (IPNetwork.Parse("fe80::/10"), "link-local"),
        (IPNetwork.Parse("fec0::/10"), "site-local (deprecated)"),
        (IPNetwork.Parse("ff00::/8"), "multicast"),
    ];

    private static readonly IPNetwork GlobalUnicastIPv6 = IPNetwork.Parse("2000::/3");
    private static readonly IPNetwork Nat64 = IPNetwork.Parse("64:ff9b::/96");
    private static readonly IPNetwork SixToFour = IPNetwork.Parse("2002::/16");

    /// <summary>Why the URL may not be used, or null.</summary>
    public string? CheckUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || url.Length > 2000 || !Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            return "Use an absolute URL.";
        }

        if (uri.Scheme != Uri.UriSchemeHttps && !(allowHttp && uri.Scheme == Uri.UriSchemeHttp))
        {
            return "Use an https URL.";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "Credentials in the URL are not allowed.";
        }

        return null;
    }

    /// <summary>Resolves the host and refuses it if any address is forbidden.</summary>
    public async Task<string?> CheckHostAsync(string host, CancellationToken cancellationToken)
    {
        IPAddress[] addresses;
        try
        {
            addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken);
        }
        catch (SocketException)
        {
            return $"The host '{host}' does not resolve.";
        }

        return addresses.Length == 0 ? $"The host '{host}' does not resolve." : addresses.Select(Refusal).FirstOrDefault(reason => reason is not null);
    }

    /// <summary>Why a connection to this address is refused, or null.</summary>
    public string? Refusal(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address))
        {
            return allowLoopback ? null : "Loopback addresses are not allowed.";
        }

        return address.AddressFamily == AddressFamily.InterNetwork ? IPv4Refusal(address) : IPv6Refusal(address);
    }

    private static string? IPv4Refusal(IPAddress address)
    {
        foreach (var (range, name) in SpecialIPv4)
        {
            if (range.Contains(address))
            {
                return $"Only public addresses are allowed; {address} is in {range} ({name}).";
            }
        }

        return null;
    }

    private static string? IPv6Refusal(IPAddress address)
    {
        // A NAT64 gateway or a 6to4 relay forwards to the IPv4 address inside, so that address is what is judged.
        if (EmbeddedIPv4(address) is { } embedded)
        {
            return IPv4Refusal(embedded) is { } reason ? $"{address} carries {embedded}: {reason}" : null;
        }

        foreach (var (range, name) in SpecialIPv6)
        {
            if (range.Contains(address))
            {
                return $"Only public addresses are allowed; {address} is in {range} ({name}).";
            }
        }

        return GlobalUnicastIPv6.Contains(address) ? null : $"Only public addresses are allowed; {address} is not a global unicast address (2000::/3).";
    }

    private static IPAddress? EmbeddedIPv4(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        return Nat64.Contains(address) ? new IPAddress(bytes.AsSpan(12, 4))
            : SixToFour.Contains(address) ? new IPAddress(bytes.AsSpan(2, 4))
            : null;
    }

    /// <summary>
    /// An HTTP handler for deliveries: no redirects, and every connection checked on the address actually dialled,
    /// so a name that resolves elsewhere after the subscription was saved (DNS rebinding) is still refused.
    /// </summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        AllowAutoRedirect = false,
        UseCookies = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(1),
        ConnectCallback = async (context, cancellationToken) =>
        {
            var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, cancellationToken);
            var allowed = addresses.FirstOrDefault(address => Refusal(address) is null)
                ?? throw new HttpRequestException($"Refused to connect to {context.DnsEndPoint.Host}: {Refusal(addresses.FirstOrDefault() ?? IPAddress.None)}");
            if (addresses.Any(address => Refusal(address) is not null))
            {
                throw new HttpRequestException($"Refused to connect to {context.DnsEndPoint.Host}: it resolves to a forbidden address.");
            }

            var socket = new Socket(allowed.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(allowed, context.DnsEndPoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}
