using Azora.Contract.Events;

namespace Azora.Api.Admin;

public static class AdminServiceCollectionExtensions
{
    public static IServiceCollection AddAzoraAdmin(this IServiceCollection services)
    {
        services.AddOutbox();
        services.AddSingleton<AdminAudit>();
        services.AddSingleton<UserAdministration>();
        return services;
    }
}
