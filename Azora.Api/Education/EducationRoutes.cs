using Azora.Api.OpenApi;

namespace Azora.Api.Education;

public static class EducationRoutes
{
    /// <summary>The catalog and learning share one prefix and one tag in the API reference.</summary>
    public static RouteGroupBuilder MapEducationGroup(this IEndpointRouteBuilder app) =>
        app.MapGroup("/api/education").WithTags("Education");
}
