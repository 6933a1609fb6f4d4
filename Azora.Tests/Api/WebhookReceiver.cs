using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Azora.Tests.Api;

internal sealed record ReceivedWebhook(DateTimeOffset At, string Body, string Signature, string EventId, string EventType);

/// <summary>A partner's endpoint on loopback: answers with a script of statuses and delays, and keeps what it got.</summary>
internal sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<(int Status, TimeSpan Delay, string? Location, Task? Until)> _script = new();
    private readonly CancellationTokenSource _stop = new();

    /// <param name="path">Only requests to this path are kept; the stack's other subscriptions may still retry to a
    /// port that this receiver now has, and they get 410.</param>
    public WebhookReceiver(int? port = null, string? path = null)
    {
        Port = port ?? FreePort();
        Path = path ?? $"/hooks/{Guid.NewGuid():N}";
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _ = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public string Path { get; }

    public string Url => $"http://127.0.0.1:{Port}{Path}";

    public ConcurrentQueue<ReceivedWebhook> Received { get; } = new();

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The next requests get these answers in order; after them, 200.</summary>
    public void Answer(int status, TimeSpan delay = default, string? location = null) => _script.Enqueue((status, delay, location, null));

    /// <summary>The next request is answered (<paramref name="status"/>) only once <paramref name="until"/> completes (or after 30 s).</summary>
    public void Hold(Task until, int status = 200) => _script.Enqueue((status, TimeSpan.Zero, null, until));

    public async Task<ReceivedWebhook[]> WaitForAsync(int count, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(30));
        while (Received.Count < count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        return Received.Count >= count ? Received.ToArray() : throw new TimeoutException($"Received {Received.Count} of {count} webhooks.");
    }

    /// <summary>The documented check: some v1 in the header is HMAC-SHA256(secret, "t.body") in lowercase hex.</summary>
    public static bool Verifies(ReceivedWebhook webhook, string secret)
    {
        var parts = webhook.Signature.Split(',').Select(part => part.Split('=', 2)).ToList();
        var timestamp = parts.Single(part => part[0] == "t")[1];
        var expected = SignedEvents.Hex(secret, timestamp, webhook.Body);
        return parts.Where(part => part[0] == "v1").Any(part => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(part[1]), Encoding.ASCII.GetBytes(expected)));
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }

            if (context.Request.Url?.AbsolutePath != Path)
            {
                context.Response.StatusCode = 410;
                context.Response.Close();
                continue;
            }

            _ = Task.Run(async () =>
            {
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var body = await reader.ReadToEndAsync();
                var (status, delay, location, until) = _script.TryDequeue(out var scripted) ? scripted : (200, TimeSpan.Zero, null, null);
                Received.Enqueue(new ReceivedWebhook(
                    DateTimeOffset.UtcNow, body, context.Request.Headers["Azora-Signature"] ?? context.Request.Headers["Stripe-Signature"] ?? "",
                    context.Request.Headers["Azora-Event-Id"] ?? "", context.Request.Headers["Azora-Event-Type"] ?? ""));
                try
                {
                    await Task.Delay(delay, _stop.Token);
                    if (until is not null)
                    {
                        await until.WaitAsync(TimeSpan.FromSeconds(30), _stop.Token);
                    }

                    context.Response.StatusCode = status;
                    if (location is not null)
                    {
                        context.Response.RedirectLocation = location;
                    }

                    context.Response.Close();
                }
                catch (Exception)
                {
                    // The caller gave up (a timeout test) or the receiver is closing.
                }
            });
        }
    }
}
