using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Azora.Soak;

/// <summary>How a partner's endpoint behaves.</summary>
internal enum ReceiverBehaviour
{
    /// <summary>200 at once.</summary>
    Steady,

    /// <summary>
    /// 200 after 0.4 s. One worker sends one partner at most its share of slots (<c>Azora:Webhooks:ParallelismPerSubscription</c>)
    /// while the others have deliveries due, and never all of them; a slower partner falls behind on its own, without
    /// holding the others back.
    /// </summary>
    Slow,

    /// <summary>503 for about a third of the requests, at random.</summary>
    Flaky,

    /// <summary>500 until <see cref="WebhookReceiver.RecoversAt"/>, then 200.</summary>
    Recovering,
}

internal sealed record ReceivedDelivery(string EventId, string EventType, int Status, TimeSpan At);

/// <summary>A partner's webhook endpoint in the soak's process: answers as its behaviour says and keeps every request.</summary>
internal sealed class WebhookReceiver : IDisposable
{
    private readonly Func<TimeSpan> _clock;
    private readonly object _gate = new();
    private HttpListener? _listener;

    public WebhookReceiver(string name, ReceiverBehaviour behaviour, Func<TimeSpan> clock, TimeSpan recoversAt = default)
    {
        Name = name;
        Behaviour = behaviour;
        RecoversAt = recoversAt;
        _clock = clock;
        Port = FreePort();
        Up();
    }

    public string Name { get; }

    public ReceiverBehaviour Behaviour { get; }

    public TimeSpan RecoversAt { get; }

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/partner/{Name}";

    /// <summary>The subscription made for it, once made.</summary>
    public Guid SubscriptionId { get; set; }

    public ConcurrentQueue<ReceivedDelivery> Received { get; } = new();

    /// <summary>Event ids this receiver answered with a 2xx, each with how often.</summary>
    public Dictionary<string, int> Delivered() => Received.Where(delivery => delivery.Status is >= 200 and < 300)
        .GroupBy(delivery => delivery.EventId).ToDictionary(group => group.Key, group => group.Count());

    /// <summary>Stops listening: connections are refused, as from a partner whose server is down.</summary>
    public void Down()
    {
        lock (_gate)
        {
            _listener?.Close();
            _listener = null;
        }
    }

    public void Up()
    {
        lock (_gate)
        {
            if (_listener is not null)
            {
                return;
            }

            var listener = Start();
            _listener = listener;
            _ = Task.Run(() => LoopAsync(listener));
        }
    }

    public void Dispose() => Down();

    private HttpListener Start()
    {
        for (var attempt = 1; ; attempt++)
        {
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                listener.Start();
                return listener;
            }
            catch (ArgumentNullException) when (attempt < 10)
            {
                // Linux's managed HttpListener throws when a connection arrives while it starts (dotnet/corefx#35191),
                // as the relay's retries do here, and leaves its listening socket behind; collecting that socket frees
                // the port for the next try.
                GC.Collect();
                GC.WaitForPendingFinalizers();
                Thread.Sleep(50);
            }
        }
    }

    private async Task LoopAsync(HttpListener listener)
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            _ = Task.Run(() => AnswerAsync(context));
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        try
        {
            using (var reader = new StreamReader(context.Request.InputStream))
            {
                await reader.ReadToEndAsync();
            }

            var status = Behaviour switch
            {
                ReceiverBehaviour.Flaky when Random.Shared.Next(3) == 0 => 503,
                ReceiverBehaviour.Recovering when _clock() < RecoversAt => 500,
                _ => 200,
            };
            if (Behaviour == ReceiverBehaviour.Slow)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(400));
            }

            // Kept before answering: a delivery counts as received once this endpoint has said 2xx.
            Received.Enqueue(new ReceivedDelivery(
                context.Request.Headers["Azora-Event-Id"] ?? "", context.Request.Headers["Azora-Event-Type"] ?? "", status, _clock()));
            context.Response.StatusCode = status;
            context.Response.Close();
        }
        catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or IOException)
        {
            // The worker gave up on the request, or this receiver went down meanwhile.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
