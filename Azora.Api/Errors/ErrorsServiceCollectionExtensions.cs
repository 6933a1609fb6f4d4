namespace Azora.Api.Errors;

public static class ErrorsServiceCollectionExtensions
{
    /// <summary>Every error leaves as RFC 9457 problem details with a stable code, whether returned, thrown or written by the framework.</summary>
    public static IServiceCollection AddAzoraErrors(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = ApiProblems.Complete);
        services.AddSingleton<ErrorMetrics>();
        services.AddExceptionHandler<ApiExceptionHandler>();
        // Malformed JSON, a wrong content type and the like are thrown, so ApiExceptionHandler words them like every other error.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return services;
    }
}
