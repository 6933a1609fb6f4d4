using System.Diagnostics.Metrics;

namespace Azora.Payments.Stripe;

/// <summary>The worker's counters under the <c>Azora.Payments</c> meter, exported on /metrics.</summary>
public sealed class PaymentsMetrics
{
    public const string MeterName = "Azora.Payments";

    private readonly Counter<long> _events;
    private readonly Counter<long> _signatureFailures;
    private readonly Counter<long> _transitions;
    private readonly Histogram<double> _processing;
    private readonly Histogram<int> _batches;

    public PaymentsMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _events = meter.CreateCounter<long>("azora.payments.webhook_events", description: "Stripe webhook events by type and outcome.");
        _signatureFailures = meter.CreateCounter<long>("azora.payments.signature_failures", description: "Webhook requests refused for a bad or stale signature.");
        _transitions = meter.CreateCounter<long>("azora.payments.transitions", description: "Payments moved to a status, by status and source (webhook, reconciliation).");
        _processing = meter.CreateHistogram<double>("azora.payments.webhook_processing", unit: "ms", description: "Time to verify and apply one webhook event.");
        _batches = meter.CreateHistogram<int>(
            "azora.payments.webhook_batch_size", unit: "{event}", description: "Stripe events applied together in one transaction.",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
    }

    public void Event(string type, string outcome) =>
        _events.Add(1, new KeyValuePair<string, object?>("type", type), new KeyValuePair<string, object?>("outcome", outcome));

    public void SignatureFailure() => _signatureFailures.Add(1);

    public void Transition(string status, string source) =>
        _transitions.Add(1, new KeyValuePair<string, object?>("status", status), new KeyValuePair<string, object?>("source", source));

    public void Batch(int events) => _batches.Record(events);

    public void Processed(TimeSpan elapsed) => _processing.Record(elapsed.TotalMilliseconds);
}
