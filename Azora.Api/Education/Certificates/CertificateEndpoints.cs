using Azora.Api.Auth;
using System.Security.Claims;
using Azora.Api.Common;
using Azora.Api.Errors;
using Azora.Api.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Azora.Api.Education.Certificates;

/// <summary>My certificates, and public verification of any certificate by its id.</summary>
public static class CertificateEndpoints
{
    public static IEndpointRouteBuilder MapCertificateEndpoints(this IEndpointRouteBuilder app, RouteGroupBuilder education)
    {
        education.MapGet("/certificates", ListAsync)
            .WithName("ListCertificates")
            .WithSummary("My certificates of completion, newest first.")
            .WithDescription("Any signed-in user. A certificate is issued when the last lesson of a course is completed.")
            .ProducesValidationProblem()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .RequireAuthorization();

        app.MapGroup("/api/certificates").WithTags("Certificates")
            .MapGet("/{certificateId:guid}", VerifyAsync)
            .WithName("VerifyCertificate")
            .WithSummary("Verifies a certificate by its id (public): the name on it, the course and the completion date.")
            .WithDescription("Anonymous, so anyone given a certificate's link can check it. An unknown id is 404.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .AllowAnonymous();
        return app;
    }

    private static Task<Results<Ok<PagedResponse<CertificateResponse>>, ValidationProblem>> ListAsync(
        ClaimsPrincipal user, CertificateStore certificates, CancellationToken cancellationToken, string? page = null, string? limit = null) =>
        CallerPages.ListAsync(user, page, limit, (userId, paging) => certificates.ListAsync(userId, paging, cancellationToken));

    private static async Task<Results<Ok<CertificateResponse>, ProblemHttpResult>> VerifyAsync(
        Guid certificateId, CertificateStore certificates, CancellationToken cancellationToken)
    {
        var certificate = await certificates.FindAsync(certificateId, cancellationToken);
        return certificate is null ? ApiProblems.NotFound("No such certificate.") : TypedResults.Ok(certificate);
    }
}
