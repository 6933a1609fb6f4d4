using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Azora.EndToEnd.Support;

internal sealed record ReceivedWebhook(string Body, string Signature, string EventId, string EventType);

/// <summary>A partner's webhook endpoint that the journey can read back.</summary>
internal interface IWebhookReceiver : IAsyncDisposable
{
    string Url { get; }

    /// <summary>Waits, at most the given time, for the first request; fails when none came.</summary>
    Task<ReceivedWebhook> WaitForFirstAsync(TimeSpan within);
}

/// <summary>A partner's endpoint on 127.0.0.1 at a random port: answers 200 and keeps what it got.</summary>
internal sealed class WebhookListener : IWebhookReceiver
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly string _path = $"/hooks/{Guid.NewGuid():N}";

    public WebhookListener()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Url = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}{_path}";
        }

        _listener.Prefixes.Add(Url[..^_path.Length] + "/");
        _listener.Start();
        _ = Task.Run(ListenAsync);
    }

    public string Url { get; }

    public async Task<ReceivedWebhook> WaitForFirstAsync(TimeSpan within)
    {
        var received = await Eventually.ReadAsync(
            () => Task.FromResult<ReceivedWebhook?>(_received.TryPeek(out var first) ? first : null),
            first => first is not null,
            attempts: (int)(within.TotalMilliseconds / 100),
            TimeSpan.FromMilliseconds(100));
        return received ?? throw new TimeoutException($"No webhook reached {Url} within {within}.");
    }

    /// <summary>
    /// The documented check: the timestamp <c>t</c> is within 5 minutes, and some <c>v1</c> in <c>Azora-Signature</c>
    /// is HMAC-SHA256(secret, "t.body") in lowercase hex.
    /// </summary>
    public static bool Verifies(ReceivedWebhook webhook, string secret)
    {
        var parts = webhook.Signature.Split(',').Select(part => part.Split('=', 2)).ToList();
        var timestamp = parts.Single(part => part[0] == "t")[1];
        if (Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - long.Parse(timestamp)) > 300)
        {
            return false;
        }

        var expected = Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{webhook.Body}"))).ToLowerInvariant();
        return parts.Where(part => part[0] == "v1")
            .Any(part => CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(part[1]), Encoding.ASCII.GetBytes(expected)));
    }

    public ValueTask DisposeAsync()
    {
        _listener.Close();
        return ValueTask.CompletedTask;
    }

    private async Task ListenAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
            {
                return;
            }

            // Deliveries for another path are someone else's retries to a port this listener now has.
            if (context.Request.Url?.AbsolutePath == _path)
            {
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                _received.Enqueue(new ReceivedWebhook(
                    await reader.ReadToEndAsync(),
                    context.Request.Headers["Azora-Signature"] ?? "",
                    context.Request.Headers["Azora-Event-Id"] ?? "",
                    context.Request.Headers["Azora-Event-Type"] ?? ""));
                context.Response.StatusCode = 200;
            }
            else
            {
                context.Response.StatusCode = 410;
            }

            context.Response.Close();
        }
    }
}
