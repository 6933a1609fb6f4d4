using Azora.Api.Errors;

namespace Azora.Api.Validation;

/// <summary>
/// Refuses a request whose query string, route values, read headers or JSON body carry a control character, with a
/// 400 <c>VALIDATION_ERROR</c> naming each such field, before any endpoint reads them.
/// </summary>
public sealed class ControlCharacterGuard(RequestDelegate next)
{
    /// <summary>The request headers endpoints read as values of their own (the rest are parsed by the framework).</summary>
    public static readonly IReadOnlyList<string> HeadersRead = ["Idempotency-Key"];

    public async Task InvokeAsync(HttpContext context)
    {
        var errors = new Dictionary<string, string[]>();
        foreach (var (name, values) in context.Request.Query)
        {
            if (ControlCharacters.AreIn(name) || values.Any(ControlCharacters.AreIn))
            {
                errors[ControlCharacters.Printable(name)] = [ControlCharacters.Message];
            }
        }

        foreach (var (name, value) in context.Request.RouteValues)
        {
            if (value is string text && ControlCharacters.AreIn(text))
            {
                errors[name] = [ControlCharacters.Message];
            }
        }

        foreach (var header in HeadersRead)
        {
            if (context.Request.Headers[header].Any(ControlCharacters.AreIn))
            {
                errors[header] = [ControlCharacters.Message];
            }
        }

        if (context.GetEndpoint() is not null && context.Request.HasJsonContentType() && await JsonBodyFieldAsync(context.Request) is { } field)
        {
            errors[field] = [ControlCharacters.Message];
        }

        if (errors.Count > 0)
        {
            await ApiProblems.Validation(errors).ExecuteAsync(context);
            return;
        }

        await next(context);
    }

    /// <summary>Reads the body once (within the size limit, which still answers 413) and leaves it for the endpoint.</summary>
    private static async Task<string?> JsonBodyFieldAsync(HttpRequest request)
    {
        request.EnableBuffering();
        using var body = new MemoryStream();
        await request.Body.CopyToAsync(body, request.HttpContext.RequestAborted);
        request.Body.Position = 0;
        return JsonBodyText.FindControlCharacters(body.GetBuffer().AsSpan(0, (int)body.Length));
    }
}
