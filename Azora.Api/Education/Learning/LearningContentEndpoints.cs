using Azora.Api.Education.Certificates;
using Azora.Api.Education.Lessons;

namespace Azora.Api.Education.Learning;

/// <summary>Lesson content and certificates: their services, and their endpoints beside the rest of education.</summary>
public static class LearningContentEndpoints
{
    public static IServiceCollection AddLearningContent(this IServiceCollection services)
    {
        services.AddSingleton<LessonReader>();
        services.AddSingleton<CertificateStore>();
        return services;
    }

    public static IEndpointRouteBuilder MapLearningContentEndpoints(this IEndpointRouteBuilder app, RouteGroupBuilder education)
    {
        education.MapLessonEndpoints();
        return app.MapCertificateEndpoints(education);
    }
}
