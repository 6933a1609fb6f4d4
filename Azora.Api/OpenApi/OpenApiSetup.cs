using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Azora.Api.OpenApi;

/// <summary>The OpenAPI document at /openapi/v1.json: the bearer scheme, and which operations need it.</summary>
public static class OpenApiSetup
{
    public const string BearerScheme = "Bearer";

    public static IServiceCollection AddAzoraOpenApi(this IServiceCollection services) => services.AddOpenApi(options =>
    {
        options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info = new OpenApiInfo
            {
                Title = "Azora API",
                Version = "v1",
                Description = "Courses, enrollment, payments and webhooks. Errors are RFC 9457 problem details with a stable code; " +
                    "see docs/api/API-REFERENCE.md.",
            };
            // Fixed, not the request's own host: the document is the same wherever it is served or generated.
            document.Servers =
            [
                new OpenApiServer { Url = "https://api.azora.world", Description = "Production" },
                new OpenApiServer { Url = "https://api-staging.azora.world", Description = "Staging" },
                new OpenApiServer { Url = "http://localhost:5080", Description = "The local stack (dotnet run --project Azora.AppHost)" },
            ];
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "An access token from POST /api/auth/login, /register or /refresh.",
            };
            return Task.CompletedTask;
        });
        options.AddSchemaTransformer((schema, context, _) =>
        {
            if (typeof(ProblemDetails).IsAssignableFrom(context.JsonTypeInfo.Type))
            {
                schema.Properties ??= new Dictionary<string, IOpenApiSchema>();
                schema.Properties["code"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Description = "Stable error code; see the code table in the API reference.",
                };
                schema.Properties["traceId"] = new OpenApiSchema
                {
                    Type = JsonSchemaType.String,
                    Description = "W3C trace id of the request, to quote to support.",
                };
            }

            return Task.CompletedTask;
        });
        options.AddOperationTransformer((operation, context, _) =>
        {
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            if (metadata.OfType<NoStore>().Any())
            {
                DeclareNoStoreHeaders(operation);
            }

            if (metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any())
            {
                operation.Security ??= [];
                operation.Security.Add(new OpenApiSecurityRequirement
                {
                    [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [],
                });
            }

            return Task.CompletedTask;
        });
    });

    /// <summary>The OpenAPI document in every environment; the interactive reference (Scalar) only in Development.</summary>
    public static WebApplication MapAzoraOpenApi(this WebApplication app)
    {
        app.MapOpenApi();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference();
        }

        return app;
    }

    private static void DeclareNoStoreHeaders(OpenApiOperation operation)
    {
        foreach (var (status, response) in operation.Responses ?? [])
        {
            if (status.StartsWith('2') && response is OpenApiResponse success)
            {
                success.Headers ??= new Dictionary<string, IOpenApiHeader>();
                success.Headers["Cache-Control"] = new OpenApiHeader
                {
                    Description = "Always `no-store`: the response carries tokens.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                };
                success.Headers["Pragma"] = new OpenApiHeader
                {
                    Description = "Always `no-cache`, for HTTP/1.0 caches.",
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                };
            }
        }
    }

    /// <summary>What every API endpoint can answer besides its own responses.</summary>
    public static RouteGroupBuilder WithApiConventions(this RouteGroupBuilder group) => group
        .ProducesProblem(StatusCodes.Status429TooManyRequests)
        .ProducesProblem(StatusCodes.Status500InternalServerError);
}
