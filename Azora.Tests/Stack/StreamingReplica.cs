using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Azora.AppHost.Infrastructure;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Azora.Tests.Stack;

/// <summary>
/// A real streaming replica of the stack's PostgreSQL, as production's read replica is: <c>pg_basebackup -R</c> copies
/// the primary and configures the copy as a hot standby, which then replays the primary's WAL over a replication
/// connection. Replay can be paused, so a test can hold the replica behind the primary for as long as it needs.
/// </summary>
internal sealed class StreamingReplica : IAsyncDisposable
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _server;
    private readonly string _directory;
    private readonly string _primary;

    // The test's own connections: not pooled, so none is left open when the replica stops.
    private readonly string _admin;
    private readonly StringBuilder _log;

    private StreamingReplica(Process server, string directory, string primary, int port, StringBuilder log)
    {
        _server = server;
        _directory = directory;
        _primary = primary;
        _log = log;
        ConnectionString = new NpgsqlConnectionStringBuilder(primary) { Host = "localhost", Port = port }.ConnectionString;
        _admin = new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString;
    }

    /// <summary>The replica's <c>azora</c> database, as a superuser (the API's read connection in the tests).</summary>
    public string ConnectionString { get; }

    public static async Task<StreamingReplica> StartAsync(AzoraStackFixture stack)
    {
        var primary = await stack.ConnectionStringAsync("azora");
        var source = new NpgsqlConnectionStringBuilder(primary);
        var binDirectory = new MachineProbe().FindPostgresBinDirectory(null) ?? throw new InvalidOperationException("No PostgreSQL binaries.");
        var directory = TestDirectories.CreateReachableByPostgres("replica");
        var cluster = Path.Combine(directory, "standby");
        Directory.CreateDirectory(cluster);
        var asRoot = Environment.IsPrivilegedProcess;
        if (asRoot)
        {
            await RunAsync("chown", [$"{LocalPostgres.SuperUser}:{LocalPostgres.SuperUser}", cluster]);
        }

        File.SetUnixFileMode(cluster, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        // -R writes standby.signal and primary_conninfo, so the copy starts as a standby streaming from the primary.
        var (backup, backupPrefix) = LocalPostgres.AsPostgresUser(Path.Combine(binDirectory, "pg_basebackup"), asRoot);
        await RunAsync(backup, [.. backupPrefix, "-h", source.Host!, "-p", source.Port.ToString(CultureInfo.InvariantCulture), "-U", source.Username!,
            "-D", cluster, "-R", "-X", "stream", "--checkpoint=fast", "--no-sync"]);

        var port = FreePort();
        var (command, prefix) = LocalPostgres.AsPostgresUser(Path.Combine(binDirectory, "postgres"), asRoot);
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        // A hot standby needs at least the primary's max_connections (the AppHost starts it with 200).
        foreach (var argument in (string[])["-c", LocalPostgres.FastStop, "postgres", command, .. prefix, "-D", cluster, "-p", port.ToString(CultureInfo.InvariantCulture),
                     "-c", "listen_addresses=localhost", "-c", "unix_socket_directories=", "-c", "max_connections=200", "-c", "hot_standby=on"])
        {
            start.ArgumentList.Add(argument);
        }

        var log = new StringBuilder();
        var server = Process.Start(start) ?? throw new InvalidOperationException("Could not start the standby.");
        server.OutputDataReceived += (_, line) => Append(log, line.Data);
        server.ErrorDataReceived += (_, line) => Append(log, line.Data);
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        var replica = new StreamingReplica(server, directory, primary, port, log);
        try
        {
            var standby = await Eventually.ReadAsync(replica.IsStandbyAsync, ready => ready == true, attempts: 150, TimeSpan.FromMilliseconds(200));
            if (standby != true)
            {
                throw new InvalidOperationException($"The standby did not start ({(standby is null ? "no connection" : "not in recovery")}):\n{replica.Log}");
            }

            await replica.CatchUpAsync();
            return replica;
        }
        catch
        {
            await replica.DisposeAsync();
            throw;
        }
    }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary>Waits until the replica has replayed everything the primary had written when this was called.</summary>
    public async Task CatchUpAsync()
    {
        NpgsqlLogSequenceNumber target;
        await using (var primary = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_primary) { Pooling = false }.ConnectionString))
        {
            target = await primary.ExecuteScalarAsync<NpgsqlLogSequenceNumber>("SELECT pg_current_wal_lsn()");
        }

        var replayed = await Eventually.ReadAsync(ReplayedAsync, position => position >= target, attempts: 300, TimeSpan.FromMilliseconds(100));
        Assert.True(replayed >= target, $"The replica replayed up to {replayed}, the primary is at {target}:\n{Log}");
    }

    /// <summary>Stops replaying the primary's WAL (the replica keeps serving reads, as of the pause).</summary>
    public async Task PauseReplayAsync()
    {
        await ExecuteAsync("SELECT pg_wal_replay_pause()");
        var state = await Eventually.ReadAsync(
            () => ScalarAsync<string>("SELECT pg_get_wal_replay_pause_state()"), value => value == "paused", attempts: 100, TimeSpan.FromMilliseconds(100));
        Assert.Equal("paused", state);
    }

    public Task ResumeReplayAsync() => ExecuteAsync("SELECT pg_wal_replay_resume()");

    public async Task<NpgsqlLogSequenceNumber> ReplayedAsync() => await ScalarAsync<NpgsqlLogSequenceNumber>("SELECT pg_last_wal_replay_lsn()");

    public async ValueTask DisposeAsync()
    {
        if (!_server.HasExited)
        {
            // The shell turns the stop signal into PostgreSQL's fast shutdown.
            using (var stop = Process.Start("kill", ["-TERM", _server.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                await stop.WaitForExitAsync();
            }

            using var timeout = new CancellationTokenSource(StopTimeout);
            try
            {
                await _server.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                _server.Kill(entireProcessTree: true);
                await _server.WaitForExitAsync();
            }
        }

        _server.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<bool?> IsStandbyAsync()
    {
        try
        {
            return await ScalarAsync<bool>("SELECT pg_is_in_recovery()");
        }
        catch (NpgsqlException)
        {
            return null;
        }
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(_admin);
        return (await connection.ExecuteScalarAsync<T>(sql))!;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_admin);
        await connection.ExecuteAsync(sql);
    }

    private static void Append(StringBuilder log, string? line)
    {
        if (line is not null)
        {
            lock (log)
            {
                log.AppendLine(line);
            }
        }
    }

    private static async Task RunAsync(string command, string[] arguments)
    {
        var start = new ProcessStartInfo(command, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start '{command}'.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{command} {string.Join(' ', arguments)}' failed ({process.ExitCode}): {await error}{await output}");
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
