using Azora.Api.Common;
using Azora.Api.Education.Authoring;
using Azora.Api.Education.Caching;
using Azora.Api.Education.Catalog;
using Azora.Api.Education.Learning;
using Azora.Api.Education.Seeding;
using Azora.Contract.Enrollments;
using Microsoft.AspNetCore.OutputCaching;
using Microsoft.AspNetCore.OutputCaching.StackExchangeRedis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Azora.Api.Education;

public static class EducationServiceCollectionExtensions
{
    public static IServiceCollection AddAzoraEducation(this IServiceCollection services)
    {
        services.AddOptions<EducationOptions>().BindConfiguration(EducationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ReadDatabase>();
        services.AddSingleton<CatalogQueries>();
        services.AddSingleton<CourseAuthoring>();
        services.AddSingleton<Enrollments>();
        services.AddEnrollmentGrants();
        services.AddSingleton<CatalogCache>();
        services.AddHostedService<SampleCatalog>();
        services.AddLearningContent();

        // Output caching in Redis, shared by every replica, on the connection Aspire manages.
        services.AddOutputCache();
        services.AddOptions<OutputCacheOptions>()
            .Configure<IOptions<EducationOptions>>((cache, education) =>
            {
                cache.AddPolicy(CatalogCachePolicy.Name, new CatalogCachePolicy(education));
                cache.AddPolicy(ViewerCachePolicy.Name, new ViewerCachePolicy(education));
            });
        services.AddStackExchangeRedisOutputCache(_ => { });
        services.AddOptions<RedisOutputCacheOptions>()
            .Configure<IServiceProvider>((redis, provider) =>
            {
                redis.InstanceName = "azora:output:";
                redis.ConnectionMultiplexerFactory = () => Task.FromResult(provider.GetRequiredService<IConnectionMultiplexer>());
            });

        var redisStore = services.Last(descriptor => descriptor.ServiceType == typeof(IOutputCacheStore));
        services.RemoveAll<IOutputCacheStore>();
        services.AddSingleton<IOutputCacheStore>(provider => ActivatorUtilities.CreateInstance<ResilientOutputCacheStore>(
            provider,
            redisStore.ImplementationFactory?.Invoke(provider) ?? ActivatorUtilities.CreateInstance(provider, redisStore.ImplementationType!)));
        return services;
    }
}
