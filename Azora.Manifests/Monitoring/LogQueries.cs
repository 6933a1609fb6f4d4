namespace Azora.Manifests.Monitoring;

/// <summary>
/// The LogQL of the dashboard's logs panels. Lines are selected by the labels a Kubernetes log collector (Promtail,
/// Alloy) gives them — <c>namespace</c>, and <c>container</c>, which is the service's name — and filtered on the
/// top-level fields of the JSON the services write to stdout outside Development (<c>LogLevel</c>, <c>Category</c>,
/// <c>Message</c>). The trace and span ids are in the line's <c>Scopes</c> array, which LogQL's <c>json</c> parser
/// skips, so a request's lines are found by a line filter on the trace id (32 hex digits, unique enough alone).
/// </summary>
public sealed class LogQueries(string ns, IEnumerable<string> services)
{
    public const string ServiceVariable = "service";
    public const string LevelVariable = "level";
    public const string TraceIdVariable = "traceId";

    private readonly string _services = string.Join('|', services);

    /// <summary>The lines of the services picked in the dashboard's <c>service</c> variable, at the picked levels.</summary>
    public string ServiceLines =>
        $"{{namespace=\"{ns}\", container=~\"${ServiceVariable}\"}} | json | LogLevel=~\"${LevelVariable}\"";

    /// <summary>Every service's lines of one request: the <c>traceId</c> of an error answer, typed into the variable.</summary>
    public string TraceLines =>
        $"{{namespace=\"{ns}\", container=~\"{_services}\"}} |= \"${TraceIdVariable}\"";
}
