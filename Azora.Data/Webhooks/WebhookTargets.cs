using System.Net;
using System.Net.Sockets;

namespace Azora.Data.Webhooks;

/// <summary>
/// Server-side request forgery guard for partner webhook URLs: only https (plain http and loopback only where a
/// setting allows them, in Development and tests), and no address that reaches inside: loopback, private, link-local
/// (169.254.169.254 and friends), carrier-grade NAT, unique-local, multicast, unspecified. Checked when a subscription is
/// saved and again on every connection (DNS can change), on the addresses the name resolves to.
/// </summary>
public sealed class WebhookTargets(bool allowHttp, bool allowLoopback)
{
    public static readonly string[] Events = ["payment.success", "payment.failed", "payment.refunded", "course.enrolled", "course.completed", "ping"];

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

        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.None))
        {
            return "Unspecified addresses are not allowed.";
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            var forbidden = b[0] == 10 || b[0] == 0
                || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 100 && b[1] >= 64 && b[1] <= 127)
                || b[0] >= 224;
            return forbidden ? "Private, link-local, multicast and reserved addresses are not allowed." : null;
        }

        if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6Multicast || address.IsIPv6UniqueLocal)
        {
            return "Private, link-local and multicast addresses are not allowed.";
        }

        return null;
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
