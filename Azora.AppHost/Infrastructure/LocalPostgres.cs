using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Azora.AppHost.Infrastructure;

/// <summary>
/// PostgreSQL run by Aspire from the machine's own binaries: a cluster in <c>&lt;data&gt;/postgres</c> created once
/// by <c>initdb</c> (trust authentication, loopback only: a development database), listening on a port Aspire picks.
/// PostgreSQL refuses to run as root, so as root both commands run as the <c>postgres</c> user through <c>setpriv</c>.
/// The server runs under a small shell that turns the stop signal into a fast shutdown (<see cref="FastStop"/>).
/// </summary>
internal static class LocalPostgres
{
    public const string SuperUser = "postgres";

    public static IResourceBuilder<ExecutableResource> AddLocalPostgresServer(
        this IDistributedApplicationBuilder builder, string name, string binDirectory, string dataDirectory, bool runsAsRoot)
    {
        var clusterDirectory = Path.Combine(dataDirectory, "postgres");
        var (command, prefix) = AsPostgresUser(Path.Combine(binDirectory, "postgres"), runsAsRoot);

        var server = builder.AddExecutable(name, "/bin/sh", dataDirectory, ["-c", FastStop, "postgres", command, .. prefix])
            .WithEndpoint(name: "tcp", scheme: "tcp")
            .WithIconName("DatabaseStack");
        var endpoint = server.GetEndpoint("tcp");

        server.WithArgs(context =>
        {
            context.Args.Add("-D");
            context.Args.Add(clusterDirectory);
            context.Args.Add("-p");
            context.Args.Add(endpoint.Property(EndpointProperty.TargetPort));
            foreach (var setting in new[] { "listen_addresses=localhost", "unix_socket_directories=", "max_connections=200", "fsync=on" })
            {
                context.Args.Add("-c");
                context.Args.Add(setting);
            }
        });

        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(server.Resource, async (@event, cancellationToken) =>
        {
            var logger = @event.Services.GetRequiredService<ResourceLoggerService>().GetLogger(server.Resource);
            await PrepareClusterAsync(binDirectory, clusterDirectory, runsAsRoot, logger, cancellationToken);
        });

        var healthCheckKey = $"{name}_server_check";
        builder.Services.AddHealthChecks().AddNpgSql(
            _ => $"Host={endpoint.Host};Port={endpoint.Port};Username={SuperUser};Database=postgres;Timeout=5",
            name: healthCheckKey);
        return server.WithHealthCheck(healthCheckKey);
    }

    /// <summary>
    /// Aspire stops an executable with SIGTERM, which is PostgreSQL's smart shutdown: it waits for every client to
    /// disconnect, and the services' pooled connections never do. Aspire gave up after a few seconds and left the
    /// server refusing new connections while still running (the stop command failed; found by the soak).
    /// This shell runs the server and answers SIGTERM (and Ctrl+C) with SIGINT, the fast shutdown: open transactions
    /// roll back, clients are disconnected, and the server stops cleanly at once.
    /// </summary>
    internal const string FastStop = """
        "$@" & server=$!
        trap 'kill -INT "$server" 2>/dev/null' TERM INT
        status=0
        while kill -0 "$server" 2>/dev/null; do wait "$server"; status=$?; done
        exit $status
        """;

    public static ReferenceExpression DatabaseConnectionString(IResourceBuilder<ExecutableResource> server, string database)
    {
        var endpoint = server.GetEndpoint("tcp");
        return ReferenceExpression.Create(
            $"Host={endpoint.Property(EndpointProperty.Host)};Port={endpoint.Property(EndpointProperty.Port)};Username={SuperUser};Database={database}");
    }

    internal static async Task PrepareClusterAsync(string binDirectory, string clusterDirectory, bool runsAsRoot, ILogger logger, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(clusterDirectory);
        if (runsAsRoot)
        {
            await RunAsync("chown", [$"{SuperUser}:{SuperUser}", clusterDirectory], logger, cancellationToken);
        }

        if (!OperatingSystem.IsWindows())
        {
            // PostgreSQL refuses a data directory that others may read.
            File.SetUnixFileMode(clusterDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        if (!File.Exists(Path.Combine(clusterDirectory, "PG_VERSION")))
        {
            if (Directory.EnumerateFileSystemEntries(clusterDirectory).Any())
            {
                throw new InvalidOperationException(
                    $"'{clusterDirectory}' holds files but no PostgreSQL cluster (an interrupted first start?). " +
                    "Reset the local data: dotnet run --project Azora.AppHost -- --reset-data");
            }

            logger.LogInformation("Creating the local PostgreSQL cluster in {Directory}", clusterDirectory);
            var (command, prefix) = AsPostgresUser(Path.Combine(binDirectory, "initdb"), runsAsRoot);
            await RunAsync(command, [.. prefix, "-D", clusterDirectory, "-U", SuperUser, "--auth=trust", "-E", "UTF8", "--no-locale", "--no-instructions"],
                logger, cancellationToken);
        }

        RemoveStalePidFile(clusterDirectory, logger);
    }

    /// <summary>
    /// A killed run leaves <c>postmaster.pid</c> behind. PostgreSQL only ignores it when no process has that pid, and
    /// pids are reused (in containers, the same low pids come back every time), so remove it unless that pid is a
    /// running postgres.
    /// </summary>
    internal static void RemoveStalePidFile(string clusterDirectory, ILogger logger)
    {
        var pidFile = Path.Combine(clusterDirectory, "postmaster.pid");
        if (!File.Exists(pidFile))
        {
            return;
        }

        var firstLine = File.ReadLines(pidFile).FirstOrDefault();
        if (int.TryParse(firstLine, out var pid) && IsRunningPostgres(pid))
        {
            return;
        }

        logger.LogWarning("Removing the stale {PidFile} left by a run that did not stop cleanly (pid {Pid})", pidFile, firstLine);
        File.Delete(pidFile);
    }

    private static bool IsRunningPostgres(int pid)
    {
        var commFile = $"/proc/{pid}/comm";
        return File.Exists(commFile) && File.ReadAllText(commFile).Trim() is "postgres" or "postmaster";
    }

    internal static (string Command, string[] Prefix) AsPostgresUser(string executable, bool runsAsRoot) =>
        runsAsRoot
            ? ("setpriv", [$"--reuid={SuperUser}", $"--regid={SuperUser}", "--init-groups", executable])
            : (executable, []);

    private static async Task RunAsync(string command, string[] arguments, ILogger logger, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(command, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start '{command}'.");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"'{command} {string.Join(' ', arguments)}' failed ({process.ExitCode}): {await error}{await output}");
        }

        logger.LogDebug("{Command}: {Output}", command, await output);
    }
}
