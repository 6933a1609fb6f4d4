using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Azora.StripeEmulator;

/// <summary>A PaymentIntent as the emulator keeps it, serialised in Stripe's wire format (snake_case JSON).</summary>
public sealed class PaymentIntent
{
    public required string Id { get; init; }
    public string Object => "payment_intent";
    public required long Amount { get; init; }
    public required string Currency { get; init; }
    public string Status { get; set; } = "requires_payment_method";
    public required string ClientSecret { get; init; }
    public Dictionary<string, string> Metadata { get; init; } = [];
    public long Created { get; init; } = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
    public bool Livemode => false;
    public string? LatestCharge { get; set; }
    public object? LastPaymentError { get; set; }
    public long AmountReceived { get; set; }
    public long? CanceledAt { get; set; }
}

public sealed record Fault(int Status, int DelayMilliseconds, int Remaining);

/// <summary>One request that reached a webhook sink: what a partner's endpoint would verify.</summary>
public sealed record SinkDelivery(string Body, string Signature, string EventId, string EventType);

/// <summary>Everything the emulator remembers, in memory: intents, idempotent responses, and faults to inject.</summary>
public sealed class EmulatorState
{
    public ConcurrentDictionary<string, PaymentIntent> Intents { get; } = new();

    public ConcurrentDictionary<string, (int Status, string Body)> IdempotentResponses { get; } = new();

    private const int MaxSinks = 1000;
    private const int MaxDeliveriesPerSink = 50;

    private readonly ConcurrentQueue<Fault> _faults = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<SinkDelivery>> _sinks = new();

    /// <summary>Keeps a delivery to <paramref name="sink"/>; bounded, because the staging emulator runs for weeks.</summary>
    public void KeepDelivery(string sink, SinkDelivery delivery)
    {
        if (_sinks.Count >= MaxSinks && !_sinks.ContainsKey(sink))
        {
            _sinks.Clear();
        }

        var deliveries = _sinks.GetOrAdd(sink, _ => new ConcurrentQueue<SinkDelivery>());
        if (deliveries.Count < MaxDeliveriesPerSink)
        {
            deliveries.Enqueue(delivery);
        }
    }

    public SinkDelivery[] DeliveriesTo(string sink) => _sinks.TryGetValue(sink, out var deliveries) ? deliveries.ToArray() : [];

    public static string NewId(string prefix) => $"{prefix}_{Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant()}";

    public void AddFault(Fault fault) => _faults.Enqueue(fault);

    public void ClearFaults() => _faults.Clear();

    /// <summary>The fault the next API request suffers, if any.</summary>
    public Fault? TakeFault()
    {
        lock (_faults)
        {
            if (!_faults.TryPeek(out var fault))
            {
                return null;
            }

            _faults.TryDequeue(out _);
            if (fault.Remaining > 1)
            {
                // Keep it at the front for its remaining requests.
                var rest = _faults.ToArray();
                _faults.Clear();
                _faults.Enqueue(fault with { Remaining = fault.Remaining - 1 });
                foreach (var other in rest)
                {
                    _faults.Enqueue(other);
                }
            }

            return fault;
        }
    }
}
