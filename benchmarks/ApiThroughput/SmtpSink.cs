using System.Buffers;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Azora.Benchmarks;

/// <summary>
/// An SMTP server in the benchmark's own process that accepts every message and keeps none: where the payments worker
/// sends its receipts during a measurement, as it would to a relay on another machine in production. The stack's mail
/// catcher (smtp4dev) parses and stores each message, which on this machine costs more CPU than applying the event.
/// </summary>
internal sealed class SmtpSink : IAsyncDisposable
{
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _running;
    private readonly Counter _received = new();

    private SmtpSink(int port)
    {
        Port = port;
        var options = new SmtpServerOptionsBuilder().ServerName("localhost").Endpoint(endpoint => endpoint.Endpoint(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port))).Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(_received);
        _running = new SmtpServer.SmtpServer(options, services).StartAsync(_stopping.Token);
    }

    public int Port { get; }

    /// <summary>Messages accepted so far.</summary>
    public long Received => Interlocked.Read(ref _received.Count);

    public static SmtpSink Start() => new(BenchmarkStack.FreePort());

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        try
        {
            await _running;
        }
        catch (OperationCanceledException)
        {
        }

        _stopping.Dispose();
    }

    private sealed class Counter : MessageStore
    {
        public long Count;

        public override Task<SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref Count);
            return Task.FromResult(SmtpResponse.Ok);
        }
    }
}
