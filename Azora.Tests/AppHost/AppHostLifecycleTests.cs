using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Azora.Tests.AppHost;

/// <summary>
/// The AppHost run as a real process, the way a developer runs it: a killed run must not keep the next one from
/// starting, and SIGTERM must leave no PostgreSQL, cache or service process behind.
/// </summary>
public sealed class AppHostLifecycleTests : IDisposable
{
    // Guards against a hang only; start-up takes about 10 s and shutdown about 15 s on a 2-core machine.
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(3);

    private readonly string _dataDirectory = TestDirectories.CreateReachableByPostgres("lifecycle");

    [Fact]
    public async Task A_killed_run_leaves_the_next_run_startable_and_sigterm_leaves_no_process_behind()
    {
        using (var first = StartAppHost())
        {
            var processes = await WaitUntilServicesAreHealthyAsync(first);
            first.Kill(); // SIGKILL: no chance to clean up
            await WaitUntilGoneAsync(processes);
        }

        using var second = StartAppHost();
        var running = await WaitUntilServicesAreHealthyAsync(second);
        Assert.Contains(running, process => process.CommandLine.Contains("postgres") && process.CommandLine.Contains(_dataDirectory));
        Assert.Contains(running, process => process.CommandLine.Contains("GarnetServer.dll") || process.CommandLine.Contains("redis-server"));
        Assert.Contains(running, process => process.CommandLine.Contains("Rnwood.Smtp4dev"));

        using var guard = new CancellationTokenSource(HangGuard);
        using (var terminate = Process.Start("kill", ["-TERM", second.Id.ToString()]))
        {
            await terminate.WaitForExitAsync(guard.Token);
            Assert.Equal(0, terminate.ExitCode);
        }

        await second.WaitForExitAsync(guard.Token);
        await WaitUntilGoneAsync(running);
        Assert.Empty(RunProcesses());
    }

    /// <summary>Every process of this test's runs: each inherits the AppHost's environment, data directory included.</summary>
    private IReadOnlyList<LocalProcesses.Entry> RunProcesses() => LocalProcesses.WithEnvironment("Azora__DataDirectory", _dataDirectory);

    private Process StartAppHost()
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "Azora.AppHost"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment["Azora__Infrastructure"] = "local";
        start.Environment["Azora__DataDirectory"] = _dataDirectory;
        start.Environment["DcpPublisher__RandomizePorts"] = "true";
        start.Environment["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{FreePort()}";
        start.Environment["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort()}";
        start.Environment["ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL"] = $"http://127.0.0.1:{FreePort()}";

        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Waits until both services answer <c>/health</c> with 200 and returns the AppHost's processes then.</summary>
    private async Task<IReadOnlyList<LocalProcesses.Entry>> WaitUntilServicesAreHealthyAsync(Process appHost)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + HangGuard;
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(appHost.HasExited, $"The AppHost exited with {(appHost.HasExited ? appHost.ExitCode : 0)}.");
            var processes = RunProcesses().Where(process => process.Pid != appHost.Id).ToList();
            var services = processes.Where(process => process.CommandLine.EndsWith("/Azora.Api", StringComparison.Ordinal)
                || process.CommandLine.EndsWith("/Azora.Payments", StringComparison.Ordinal)).ToList();
            if (services.Count == 2 && await AllHealthyAsync(http, services))
            {
                return processes;
            }

            await Task.Delay(250);
        }

        throw new TimeoutException("The services did not become healthy.");
    }

    private static async Task<bool> AllHealthyAsync(HttpClient http, IEnumerable<LocalProcesses.Entry> services)
    {
        foreach (var service in services)
        {
            var url = LocalProcesses.Environment(service.Pid, "ASPNETCORE_URLS").Split(';')[0];
            try
            {
                using var response = await http.GetAsync($"{url}/health");
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    return false;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or UriFormatException or InvalidOperationException)
            {
                return false;
            }
        }

        return true;
    }

    private static async Task WaitUntilGoneAsync(IEnumerable<LocalProcesses.Entry> processes)
    {
        var deadline = DateTime.UtcNow + HangGuard;
        var left = processes.ToList();
        while (left.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
            left = [.. left.Where(process => LocalProcesses.IsAlive(process.Pid))];
        }

        Assert.True(left.Count == 0, $"Still running: {string.Join("; ", left.Select(process => process.CommandLine))}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        // A failed assertion must not leave a running stack behind for the rest of the suite.
        foreach (var process in RunProcesses())
        {
            try
            {
                Process.GetProcessById(process.Pid).Kill();
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
            }
        }

        Directory.Delete(_dataDirectory, recursive: true);
    }
}
