using System.Net;
using System.Net.Sockets;
using StackExchange.Redis;

namespace Azora.Tests.Api;

/// <summary>
/// A TCP path from an API instance to the stack's real Redis that a test can cut and mend, as a network outage or a
/// Redis restart looks to the API: <see cref="Break"/> closes every connection and refuses new ones,
/// <see cref="Restore"/> listens on the same port again. Redis itself keeps running for the rest of the stack.
/// </summary>
internal sealed class BreakableCachePath : IAsyncDisposable
{
    private readonly EndPoint _target;
    private readonly List<TcpClient> _connections = [];
    private TcpListener? _listener;
    private CancellationTokenSource _stop = new();

    private BreakableCachePath(EndPoint target, string connectionString)
    {
        _target = target;
        var options = ConfigurationOptions.Parse(connectionString);
        _listener = Listen(0);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        options.EndPoints.Clear();
        options.EndPoints.Add(IPAddress.Loopback, Port);
        ConnectionString = options.ToString(includePassword: true);
        _ = AcceptAsync(_listener, _stop.Token);
    }

    public int Port { get; }

    /// <summary>The cache connection string an API instance is given: the real one, through this path.</summary>
    public string ConnectionString { get; }

    public static BreakableCachePath To(string cacheConnectionString)
    {
        var target = ConfigurationOptions.Parse(cacheConnectionString).EndPoints.Single();
        return new BreakableCachePath(target, cacheConnectionString);
    }

    public void Break()
    {
        _stop.Cancel();
        _listener?.Stop();
        _listener = null;
        lock (_connections)
        {
            foreach (var connection in _connections)
            {
                // Already null when the other side hung up first.
                connection.Client?.Close(0);
                connection.Dispose();
            }

            _connections.Clear();
        }
    }

    public void Restore()
    {
        _stop = new CancellationTokenSource();
        _listener = Listen(Port);
        _ = AcceptAsync(_listener, _stop.Token);
    }

    public ValueTask DisposeAsync()
    {
        Break();
        return ValueTask.CompletedTask;
    }

    private static TcpListener Listen(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        listener.Start();
        return listener;
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var upstream = new TcpClient();
            try
            {
                var (host, port) = _target switch
                {
                    DnsEndPoint dns => (dns.Host, dns.Port),
                    IPEndPoint ip => (ip.Address.ToString(), ip.Port),
                    _ => throw new NotSupportedException(_target.ToString()),
                };
                await upstream.ConnectAsync(host, port, stop);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException)
            {
                client.Dispose();
                upstream.Dispose();
                continue;
            }

            lock (_connections)
            {
                _connections.Add(client);
                _connections.Add(upstream);
            }

            _ = PumpAsync(client, upstream, stop);
            _ = PumpAsync(upstream, client, stop);
        }
    }

    private static async Task PumpAsync(TcpClient from, TcpClient to, CancellationToken stop)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream(), stop);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException or SocketException)
        {
            // The path was broken, or one side hung up.
        }

        from.Dispose();
        to.Dispose();
    }
}
