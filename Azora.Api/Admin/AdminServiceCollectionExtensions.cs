using Azora.Data.Outbox;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Azora.Api.Admin;

public static class AdminServiceCollectionExtensions
{
    public static IServiceCollection AddAzoraAdmin(this IServiceCollection services)
    {
        services.TryAddSingleton<OutboxWriter>();
        services.AddSingleton<AdminAudit>();
        services.AddSingleton<UserAdministration>();
        return services;
    }
}
