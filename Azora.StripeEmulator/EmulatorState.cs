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

/// <summary>One copy of an event on its way to the webhook endpoint: the status of each attempt so far (0: no answer).</summary>
public sealed class DeliveryRecord
{
    private readonly List<int> _attempts = [];

    public int[] Attempts
    {
        get
        {
            lock (_attempts)
            {
                return [.. _attempts];
            }
        }
    }

    public bool Delivered { get; private set; }

    public bool GivenUp { get; private set; }

    public bool Pending => !Delivered && !GivenUp;

    public void Attempted(int status)
    {
        lock (_attempts)
        {
            _attempts.Add(status);
            Delivered = status is >= 200 and < 300;
        }
    }

    public void GiveUp() => GivenUp = true;
}

/// <summary>An event the emulator sent, with each copy's deliveries: what Stripe's dashboard shows for a webhook event.</summary>
public sealed record EventRecord(string Id, string Type, long Created, DeliveryRecord[] Deliveries);

/// <summary>Everything the emulator remembers, in memory: intents, idempotent responses, events sent, and faults to inject.</summary>
public sealed class EmulatorState
{
    public ConcurrentDictionary<string, PaymentIntent> Intents { get; } = new();

    public ConcurrentDictionary<string, (int Status, string Body)> IdempotentResponses { get; } = new();

    private const int MaxSinks = 1000;
    private const int MaxEvents = 10_000;
    private const int MaxDeliveriesPerSink = 50;

    private readonly ConcurrentQueue<Fault> _faults = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<SinkDelivery>> _sinks = new();
    private readonly ConcurrentDictionary<string, EventRecord> _events = new();

    /// <summary>
    /// Keeps an event with <paramref name="copies"/> deliveries to make; bounded like the sinks: past the limit the
    /// settled events are forgotten (those still being delivered are kept, as they are in Stripe).
    /// </summary>
    public EventRecord KeepEvent(StripeEvent stripeEvent, int copies)
    {
        if (_events.Count >= MaxEvents)
        {
            foreach (var settled in _events.Values.Where(kept => !kept.Deliveries.Any(delivery => delivery.Pending)))
            {
                _events.TryRemove(settled.Id, out _);
            }
        }

        var record = new EventRecord(stripeEvent.Id, stripeEvent.Type, DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            [.. Enumerable.Range(0, copies).Select(_ => new DeliveryRecord())]);
        _events[record.Id] = record;
        return record;
    }

    public EventRecord? Event(string id) => _events.GetValueOrDefault(id);

    public ICollection<EventRecord> Events => _events.Values;

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
