using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;

namespace Azora.Api.OpenApi;

/// <summary>
/// The OpenAPI document at /openapi/v1.json, which is the API's contract: checked in at openapi/v1.json, linted, and
/// held to every response the tests receive. The transformers make it exact (see <see cref="ContractSchemas"/> and
/// <see cref="ContractOperations"/>).
/// </summary>
public static class OpenApiSetup
{
    public const string BearerScheme = ContractOperations.BearerScheme;

    public static IServiceCollection AddAzoraOpenApi(this IServiceCollection services) => services.AddOpenApi(options =>
    {
        // Any JSON value (an audit entry's before and after) is inline `{}`, not a component named after a .NET type.
        options.CreateSchemaReferenceId = type =>
            (Nullable.GetUnderlyingType(type.Type) ?? type.Type) == typeof(System.Text.Json.JsonElement) ? null : OpenApiOptions.CreateDefaultSchemaReferenceId(type);
        options.AddDocumentTransformer((document, _, _) =>
        {
            Describe(document);
            ContractOperations.DescribeComponents(document);
            return Task.CompletedTask;
        });
        options.AddSchemaTransformer<ContractSchemas>();
        options.AddOperationTransformer<ContractOperations>();
        options.AddOperationTransformer((operation, context, _) =>
        {
            if (context.Description.ActionDescriptor.EndpointMetadata.OfType<NoStore>().Any())
            {
                DeclareNoStoreHeaders(operation);
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
            // Requests from the reference go to the server it is served by, not to the document's production servers.
            app.MapScalarApiReference(options => options.AddServer("/", "This server"));
        }

        return app;
    }

    private static void Describe(OpenApiDocument document)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Azora API",
            Version = "v1",
            Description = "Courses, enrollment, payments and webhooks for the Azora learning platform. Errors are RFC 9457 problem " +
                "details (`application/problem+json`) with a stable `code` and a `traceId`; a method a path does not support answers " +
                "405 with an `Allow` header. Every response may carry `X-RateLimit-Limit`, `X-RateLimit-Remaining` and " +
                "`X-RateLimit-Reset`. The guide is docs/api/API-REFERENCE.md.",
            Contact = new OpenApiContact { Name = "Azora API team", Email = "api@azora.world", Url = new Uri("https://azora.world/developers") },
            License = new OpenApiLicense { Name = "Proprietary", Url = new Uri("https://azora.world/terms") },
        };
        // Fixed, not the request's own host: the document is the same wherever it is served or generated. Clients of the
        // local stack set their base URL (http://localhost:5080).
        document.Servers =
        [
            new OpenApiServer { Url = "https://api.azora.world", Description = "Production" },
            new OpenApiServer { Url = "https://api-staging.azora.world", Description = "Staging" },
        ];
        document.Tags = new HashSet<OpenApiTag>(
        [
            new OpenApiTag { Name = "Service", Description = "What is running: the service's name and version." },
            new OpenApiTag { Name = "Auth", Description = "Accounts, sign-in, tokens, the profile, and the keys that verify tokens." },
            new OpenApiTag { Name = "API keys", Description = "Partner API keys with scopes, for server-to-server calls." },
            new OpenApiTag { Name = "Education", Description = "The catalog, enrollment and learning, and lessons." },
            new OpenApiTag { Name = "Course management", Description = "Instructors' and admins' courses and lessons: create, change, publish." },
            new OpenApiTag { Name = "Certificates", Description = "Certificates of completion and their public verification." },
            new OpenApiTag { Name = "Payments", Description = "Buying a paid course through Stripe, payment history and refunds." },
            new OpenApiTag { Name = "Webhooks", Description = "Signed event deliveries to partner URLs: subscriptions and their logs." },
            new OpenApiTag { Name = "Administration", Description = "User administration and its audit log." },
        ]);
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "An access token from POST /api/auth/login, /register or /refresh.",
        };
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
                    Required = true,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                };
                success.Headers["Pragma"] = new OpenApiHeader
                {
                    Description = "Always `no-cache`, for HTTP/1.0 caches.",
                    Required = true,
                    Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                };
            }
        }
    }
}
