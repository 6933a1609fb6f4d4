using Microsoft.AspNetCore.HttpOverrides;

namespace Azora.Api.RateLimiting;

public static class RateLimitServiceCollectionExtensions
{
    public static IServiceCollection AddAzoraRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<DistributedRateLimits>();

        // X-Forwarded-For is believed only from proxies in Azora:Api:TrustedProxies (CIDR); otherwise a client could
        // pick its own address and escape its limit. Nothing is trusted by default, not even loopback.
        var trusted = configuration.GetSection("Azora:Api:TrustedProxies").Get<string[]>() ?? [];
        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var network in trusted)
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
        return services;
    }
}
