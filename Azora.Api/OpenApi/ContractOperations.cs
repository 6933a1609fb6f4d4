using Azora.Api.Common;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Azora.Api.OpenApi;

/// <summary>
/// What every operation can answer besides its own results, and what it needs, so the contract lists every status a
/// client can meet: the middleware's 429 and 500 everywhere; on <c>/api</c>, 400 (bad query or route values, bodies
/// that are not JSON) and 503 (a dependency is down); 413 and 415 where a body is read; 401 and 403 where a token is
/// needed. Also the response headers (rate limits, <c>Retry-After</c>, <c>Location</c>), the typed query parameters
/// (<see cref="QueryParameter"/>, and <c>page</c>/<c>limit</c> everywhere), and <c>security</c> on every operation.
/// </summary>
internal sealed class ContractOperations : IOpenApiOperationTransformer
{
    public const string BearerScheme = "Bearer";

    /// <summary>The answers many operations share, by status, as <c>components/responses</c>.</summary>
    private static readonly (int Status, string Name, string Description, bool Validation)[] Shared =
    [
        (StatusCodes.Status400BadRequest, "BadRequest",
            "A parameter or the body is invalid (`VALIDATION_ERROR`, with `errors` by field) or the body is not JSON (`MALFORMED_REQUEST`).", true),
        (StatusCodes.Status401Unauthorized, "Unauthorized", "No valid access token (or API key) was sent.", false),
        (StatusCodes.Status403Forbidden, "Forbidden",
            "The caller may not do this: a role is missing, the account is disabled, or an API key is not accepted here " +
            "(`API_KEY_NOT_ACCEPTED`, `INSUFFICIENT_SCOPE`).", false),
        (StatusCodes.Status413PayloadTooLarge, "PayloadTooLarge", "The body is larger than the API accepts (1 MiB by default).", false),
        (StatusCodes.Status415UnsupportedMediaType, "UnsupportedMediaType", "The body is not `application/json`.", false),
        (StatusCodes.Status429TooManyRequests, "TooManyRequests", "A rate limit is spent; retry after `Retry-After` seconds.", false),
        (StatusCodes.Status500InternalServerError, "InternalError", "An unexpected error; quote `traceId` to support.", false),
        (StatusCodes.Status503ServiceUnavailable, "ServiceUnavailable", "A dependency (the database, or Stripe for payments) is unavailable; retry later.", false),
    ];

    private static readonly string[] RateLimitHeaders = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"];

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var description = context.Description;
        var metadata = description.ActionDescriptor.EndpointMetadata;
        var secured = metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any();
        var readsBody = description.ParameterDescriptions.Any(parameter => parameter.Source == BindingSource.Body)
            || metadata.OfType<IAcceptsMetadata>().Any();
        var api = description.RelativePath?.StartsWith("api/", StringComparison.Ordinal) == true;

        DescribeSecurity(operation, context, secured, metadata.OfType<OptionalSignIn>().Any());
        var responses = operation.Responses ?? [];
        var statuses = new List<int> { StatusCodes.Status429TooManyRequests, StatusCodes.Status500InternalServerError };
        if (api)
        {
            statuses.AddRange([StatusCodes.Status400BadRequest, StatusCodes.Status503ServiceUnavailable]);
        }

        if (readsBody)
        {
            statuses.AddRange([StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType]);
        }

        if (secured || responses.ContainsKey("401"))
        {
            statuses.Add(StatusCodes.Status401Unauthorized);
        }

        if (secured || responses.ContainsKey("403"))
        {
            statuses.Add(StatusCodes.Status403Forbidden);
        }

        foreach (var shared in Shared.Where(shared => statuses.Contains(shared.Status)))
        {
            responses[Key(shared.Status)] = new OpenApiResponseReference(shared.Name, context.Document);
        }

        foreach (var (status, response) in responses)
        {
            if (response is OpenApiResponse own)
            {
                own.Headers ??= new Dictionary<string, IOpenApiHeader>();
                AddRateLimitHeaders(own.Headers, context.Document);
                if (status == "201")
                {
                    own.Headers["Location"] = new OpenApiHeader
                    {
                        Description = "The URL of what was created.",
                        Required = true,
                        Schema = new OpenApiSchema { Type = JsonSchemaType.String },
                    };
                }
            }
        }

        DescribeQueryParameters(operation, metadata);
        operation.Responses = Sorted(responses);
        return Task.CompletedTask;
    }

    /// <summary>The shared responses and headers the operations refer to.</summary>
    public static void DescribeComponents(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.Headers ??= new Dictionary<string, IOpenApiHeader>();
        document.Components.Headers["X-RateLimit-Limit"] = Header("The caller's request limit for the current window (absent while limits cannot be counted).");
        document.Components.Headers["X-RateLimit-Remaining"] = Header("Requests left in the current window.");
        document.Components.Headers["X-RateLimit-Reset"] = Header("When the current window ends, in Unix seconds.");
        document.Components.Responses ??= new Dictionary<string, IOpenApiResponse>();
        foreach (var (status, name, description, validation) in Shared)
        {
            var response = new OpenApiResponse
            {
                Description = description,
                Headers = new Dictionary<string, IOpenApiHeader>(),
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/problem+json"] = new()
                    {
                        Schema = new OpenApiSchemaReference(validation ? "HttpValidationProblemDetails" : "ProblemDetails", document),
                    },
                },
            };
            AddRateLimitHeaders(response.Headers, document);
            if (status is StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable)
            {
                response.Headers["Retry-After"] = Header(
                    status == StatusCodes.Status429TooManyRequests ? "Seconds to wait before retrying." : "Seconds to wait before retrying, when known.",
                    required: status == StatusCodes.Status429TooManyRequests);
            }

            document.Components.Responses[name] = response;
        }
    }

    private static void AddRateLimitHeaders(IDictionary<string, IOpenApiHeader> headers, OpenApiDocument? document)
    {
        foreach (var name in RateLimitHeaders)
        {
            headers[name] = new OpenApiHeaderReference(name, document);
        }
    }

    private static OpenApiHeader Header(string description, bool required = false) => new()
    {
        Description = description,
        Required = required,
        Schema = new OpenApiSchema { Type = JsonSchemaType.Integer },
    };

    private static string Key(int status) => status.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// Bearer where a token is needed; otherwise an empty requirement first (anonymous, stated rather than left to a
    /// global default), then the bearer scheme where signing in changes the answer. API keys are added by the API-key
    /// feature's own transformer.
    /// </summary>
    private static void DescribeSecurity(OpenApiOperation operation, OpenApiOperationTransformerContext context, bool secured, bool optionalSignIn)
    {
        operation.Security ??= [];
        var bearer = new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] };
        if (secured)
        {
            operation.Security.Insert(0, bearer);
            return;
        }

        if (operation.Security.FirstOrDefault() is not { Count: 0 })
        {
            operation.Security.Insert(0, new OpenApiSecurityRequirement());
        }

        if (optionalSignIn)
        {
            operation.Security.Insert(1, bearer);
        }
    }

    private static void DescribeQueryParameters(OpenApiOperation operation, IList<object> metadata)
    {
        var declared = metadata.OfType<QueryParameter>().ToDictionary(parameter => parameter.Name);
        foreach (var parameter in (operation.Parameters ?? []).OfType<OpenApiParameter>().Where(parameter => parameter.In == ParameterLocation.Query))
        {
            var known = parameter.Name switch
            {
                "page" => new QueryParameter("page", "The page, from 1 (default 1); a page past the end is empty.",
                    QuerySchema.Integer(1, PageRequest.MaximumPage, 1)),
                "limit" => new QueryParameter("limit", $"Items per page, from 1 to {PageRequest.MaximumLimit} (default {PageRequest.DefaultLimit}).",
                    QuerySchema.Integer(1, PageRequest.MaximumLimit, PageRequest.DefaultLimit)),
                _ => declared.GetValueOrDefault(parameter.Name!)
                    ?? throw new InvalidOperationException($"Query parameter '{parameter.Name}' of {operation.OperationId} is not described (WithQuery)."),
            };
            parameter.Description = known.Description;
            parameter.Schema = known.Schema();
        }
    }

    /// <summary>Responses in status order, so the document reads (and diffs) the same way every time.</summary>
    private static OpenApiResponses Sorted(OpenApiResponses responses)
    {
        var sorted = new OpenApiResponses();
        foreach (var (status, response) in responses.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            sorted[status] = response;
        }

        return sorted;
    }
}
