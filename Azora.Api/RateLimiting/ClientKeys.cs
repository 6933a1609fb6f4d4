using System.Net;
using System.Net.Sockets;

namespace Azora.Api.RateLimiting;

/// <summary>
/// Who a request is counted against when no user is signed in: an IPv4 address, or the /64 an IPv6 address belongs
/// to (one subscriber is usually given a whole /64, so keying by the full /128 would hand out 2^64 fresh limits).
/// IPv4-mapped IPv6 addresses count as the IPv4 address they carry. Forwarded headers were applied before this, and
/// only from trusted proxies (see <see cref="RateLimitServiceCollectionExtensions"/>).
/// </summary>
public static class ClientKeys
{
    private const int Ipv6PrefixBytes = 8;

    public static string Of(HttpContext http) => Of(http.Connection.RemoteIpAddress);

    public static string Of(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, Ipv6PrefixBytes, bytes.Length - Ipv6PrefixBytes);
        return $"{new IPAddress(bytes)}/64";
    }
}
