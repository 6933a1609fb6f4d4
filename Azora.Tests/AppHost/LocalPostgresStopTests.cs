using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Azora.AppHost.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Azora.Tests.AppHost;

/// <summary>
/// Found by the soak: Aspire stops an executable with SIGTERM, PostgreSQL's smart shutdown, which waits for
/// every client to disconnect. With the services' pooled connections open it never stopped; Aspire gave up and left it
/// refusing new connections. The local server runs under <see cref="LocalPostgres.FastStop"/>, which makes the stop a
/// fast shutdown.
/// </summary>
public sealed class LocalPostgresStopTests : IDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(1);

    private readonly string _dataDirectory = TestDirectories.CreateReachableByPostgres("postgres-stop");

    [Fact]
    public async Task The_stop_signal_stops_the_server_while_a_client_holds_a_transaction_open()
    {
        var binDirectory = new MachineProbe().FindPostgresBinDirectory(null) ?? throw new InvalidOperationException("No PostgreSQL binaries.");
        var cluster = Path.Combine(_dataDirectory, "postgres");
        await LocalPostgres.PrepareClusterAsync(binDirectory, cluster, Environment.IsPrivilegedProcess, NullLogger.Instance, CancellationToken.None);
        var port = FreePort();
        var (command, prefix) = LocalPostgres.AsPostgresUser(Path.Combine(binDirectory, "postgres"), Environment.IsPrivilegedProcess);
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in (string[])["-c", LocalPostgres.FastStop, "postgres", command, .. prefix, "-D", cluster, "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "-c", "listen_addresses=localhost", "-c", "unix_socket_directories="])
        {
            start.ArgumentList.Add(argument);
        }

        using var server = Process.Start(start)!;
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, _) => { };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        try
        {
            await using var client = new NpgsqlConnection($"Host=localhost;Port={port};Username={LocalPostgres.SuperUser};Database=postgres;Pooling=false");
            await Eventually.ReadAsync(async () =>
            {
                try
                {
                    await client.OpenAsync();
                    return true;
                }
                catch (NpgsqlException)
                {
                    return false;
                }
            }, open => open, attempts: 150, TimeSpan.FromMilliseconds(200));
            await using var transaction = await client.BeginTransactionAsync();

            using (var stop = Process.Start("kill", ["-TERM", server.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await stop.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(Guard);
            await server.WaitForExitAsync(timeout.Token);
            Assert.Equal(0, server.ExitCode);
            await using var command2 = new NpgsqlCommand("SELECT 1", client, transaction);
            await Assert.ThrowsAnyAsync<Exception>(() => command2.ExecuteScalarAsync());
        }
        finally
        {
            if (!server.HasExited)
            {
                server.Kill(entireProcessTree: true);
            }
        }
    }

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
