using System.Diagnostics.Metrics;

namespace Azora.Api.Errors;

/// <summary>Counters under the <c>Azora.Api.Errors</c> meter, exported on /metrics.</summary>
public sealed class ErrorMetrics
{
    private readonly Counter<long> _databaseUnavailable;

    public ErrorMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create("Azora.Api.Errors");
        _databaseUnavailable = meter.CreateCounter<long>(
            "azora.database.unavailable", description: "Requests answered 503 because PostgreSQL could not be reached.");
    }

    public void DatabaseUnavailable() => _databaseUnavailable.Add(1);
}
