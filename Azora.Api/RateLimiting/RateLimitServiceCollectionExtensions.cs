using Microsoft.AspNetCore.HttpOverrides;

namespace Azora.Api.RateLimiting;

public static class RateLimitServiceCollectionExtensions
{
    public const string TrustedProxiesSection = "Azora:Api:TrustedProxies";

    public static IServiceCollection AddAzoraRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<DistributedRateLimits>();

        // X-Forwarded-For is believed only from proxies in Azora:Api:TrustedProxies (a network in CIDR, or one
        // address); otherwise a client could pick its own address and escape its limit. PostConfigure, because
        // ASPNETCORE_FORWARDEDHEADERS_ENABLED (which Aspire sets) would trust everyone, and so would empty lists: with
        // nothing configured, nothing is forwarded.
        var trusted = configuration.GetSection(TrustedProxiesSection).Get<string[]>() ?? [];
        services.PostConfigure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = trusted.Length == 0 ? ForwardedHeaders.None : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
#pragma warning disable ASPDEPR005 // The obsolete list is still consulted.
            options.KnownNetworks.Clear();
#pragma warning restore ASPDEPR005
            var (networks, addresses) = ParseTrustedProxies(trusted);
            foreach (var network in networks)
            {
                options.KnownIPNetworks.Add(network);
            }

            foreach (var address in addresses)
            {
                options.KnownProxies.Add(address);
            }
        });
        return services;
    }

    /// <summary>
    /// Each entry is a network in CIDR (the ingress controller's pod network) or one address (a proxy with a fixed
    /// address); anything else stops the start rather than silently trusting nobody or everybody.
    /// </summary>
    internal static (List<System.Net.IPNetwork> Networks, List<System.Net.IPAddress> Addresses) ParseTrustedProxies(IEnumerable<string> entries)
    {
        var networks = new List<System.Net.IPNetwork>();
        var addresses = new List<System.Net.IPAddress>();
        foreach (var entry in entries)
        {
            if (entry.Contains('/') && System.Net.IPNetwork.TryParse(entry, out var network))
            {
                networks.Add(network);
            }
            else if (!entry.Contains('/') && System.Net.IPAddress.TryParse(entry, out var address))
            {
                addresses.Add(address);
            }
            else
            {
                throw new InvalidOperationException($"{TrustedProxiesSection} has '{entry}', which is neither a network in CIDR (10.42.0.0/16) nor an address.");
            }
        }

        return (networks, addresses);
    }
}
