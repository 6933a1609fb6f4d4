using Microsoft.AspNetCore.HttpOverrides;

namespace Azora.Api.RateLimiting;

public static class RateLimitServiceCollectionExtensions
{
    public static IServiceCollection AddAzoraRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<DistributedRateLimits>();

        // X-Forwarded-For is believed only from proxies in Azora:Api:TrustedProxies (CIDR); otherwise a client could
        // pick its own address and escape its limit. PostConfigure, because ASPNETCORE_FORWARDEDHEADERS_ENABLED (which
        // Aspire sets) would trust everyone, and so would empty lists: with nothing configured, nothing is forwarded.
        var trusted = configuration.GetSection("Azora:Api:TrustedProxies").Get<string[]>() ?? [];
        services.PostConfigure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = trusted.Length == 0 ? ForwardedHeaders.None : ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
#pragma warning disable ASPDEPR005 // The obsolete list is still consulted.
            options.KnownNetworks.Clear();
#pragma warning restore ASPDEPR005
            foreach (var network in trusted)
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
        return services;
    }
}
