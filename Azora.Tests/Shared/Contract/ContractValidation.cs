// Compiled into Azora.Tests and Azora.EndToEnd.
namespace Azora.Testing.Contract;

/// <summary>A response the OpenAPI document does not allow; the test whose request got it fails with this.</summary>
internal sealed class ContractViolationException(string message) : Xunit.Sdk.XunitException(message);

/// <summary>Holds every response the tests receive from the API to the checked-in OpenAPI document.</summary>
internal static class ContractValidation
{
    /// <summary>
    /// When set to a file path, violations are appended to that file (one per line) instead of failing the test, so one
    /// run lists every difference between the API and its document (for whoever updates the document).
    /// </summary>
    public const string RecordVariable = "AZORA_CONTRACT_RECORD";

    private static readonly Lock RecordLock = new();

    /// <summary>Throws <see cref="ContractViolationException"/> when the response breaks the checked-in document.</summary>
    public static void Enforce(ContractExchange exchange, string request) => Enforce(OpenApiContract.CheckedIn, exchange, request);

    public static void Enforce(OpenApiContract contract, ContractExchange exchange, string request)
    {
        var violations = contract.Check(exchange);
        if (violations.Count == 0)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable(RecordVariable) is { Length: > 0 } record)
        {
            lock (RecordLock)
            {
                File.AppendAllLines(record, violations.Select(violation => violation.ReplaceLineEndings(" ")));
            }

            return;
        }

        var body = exchange.Body.Length > 1500 ? exchange.Body[..1500] + "…" : exchange.Body;
        throw new ContractViolationException(
            $"The response to {request} breaks the OpenAPI document (openapi/v1.json):\n  {string.Join("\n  ", violations)}\nThe body was: {body}");
    }
}

/// <summary>
/// Checks each response against the checked-in OpenAPI document before the test sees it (<see cref="ContractValidation"/>).
/// The body is buffered, so the test can still read it.
/// </summary>
internal sealed class ContractValidatingHandler(HttpMessageHandler inner, OpenApiContract? contract = null) : DelegatingHandler(inner)
{
    public ContractValidatingHandler()
        : this(new SocketsHttpHandler())
    {
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        try
        {
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            var exchange = new ContractExchange(
                request.Method.Method,
                request.RequestUri!.AbsolutePath,
                (int)response.StatusCode,
                response.Content.Headers.ContentType?.ToString(),
                body,
                name => response.Headers.TryGetValues(name, out _) || response.Content.Headers.TryGetValues(name, out _));
            ContractValidation.Enforce(contract ?? OpenApiContract.CheckedIn, exchange, $"{request.Method} {request.RequestUri.PathAndQuery}");
            return response;
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }
}
