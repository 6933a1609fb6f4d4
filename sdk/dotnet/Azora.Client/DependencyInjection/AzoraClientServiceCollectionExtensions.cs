using Azora.Client;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="AzoraClient"/> with dependency injection.</summary>
public static class AzoraClientServiceCollectionExtensions
{
    /// <summary>
    /// Registers an <see cref="AzoraClient"/> (one per container by default, so its session is shared; use
    /// <see cref="ServiceLifetime.Scoped"/> for one session per scope) and a named HttpClient
    /// (<see cref="AzoraClient.HttpClientName"/>) from IHttpClientFactory that every request goes through. The
    /// returned builder configures that HttpClient; in an Aspire application whose service defaults add service
    /// discovery to every HttpClient, <c>o.BaseAddress = new("https+http://api")</c> finds the API by its resource
    /// name.
    /// </summary>
    public static IHttpClientBuilder AddAzoraClient(
        this IServiceCollection services, Action<AzoraClientOptions> configure, ServiceLifetime lifetime = ServiceLifetime.Singleton)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<AzoraClientOptions>().Configure(configure);
        var builder = services.AddHttpClient(AzoraClient.HttpClientName, (provider, http) =>
        {
            if (provider.GetRequiredService<IOptions<AzoraClientOptions>>().Value.BaseAddress is { } address)
            {
                http.BaseAddress = address;
            }
        });
        services.TryAdd(new ServiceDescriptor(typeof(AzoraClient), provider =>
        {
            var options = provider.GetRequiredService<IOptions<AzoraClientOptions>>().Value;
            var factory = provider.GetRequiredService<IHttpClientFactory>();
            return new AzoraClient(() => factory.CreateClient(AzoraClient.HttpClientName), options.BaseAddress, options);
        }, lifetime));
        return builder;
    }
}
