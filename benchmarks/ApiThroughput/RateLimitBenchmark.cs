using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Azora.Benchmarks;

/// <summary>
/// What the rate limits cost a cached <c>GET /api/education/courses</c>: <c>wrk</c> against the API's Release output run
/// as a plain process on its own port (PostgreSQL and the cache direct, no Aspire proxy), with rate limits off and on
/// (limits too high to refuse anyone), next to the same response bytes served from memory by a bare app (the ceiling),
/// all in one run. Optionally the same for another build of the API (a baseline output directory), and a CPU profile
/// of each limits-on phase with <c>dotnet-trace</c>.
/// </summary>
internal static partial class RateLimitBenchmark
{
    private const string Path = "/api/education/courses";

    /// <summary>Rounds of phases, each server in turn: a machine shared with other work drifts, so the best round counts.</summary>
    private const int Rounds = 3;

    public static async Task RunAsync(TimeSpan phase, int connections, string? baseline, string? profileDirectory)
    {
        var root = RepositoryRoot();
        await using var stack = await BenchmarkStack.StartAsync(directInfrastructure: true);
        var builds = new List<(string Name, string Directory)>();
        if (baseline is not null)
        {
            builds.Add(("baseline", baseline));
        }

        builds.Add(("this build", System.IO.Path.Combine(root, "Azora.Api", "bin", "Release", "net10.0")));

        var (database, cache) = (await stack.ConnectionStringAsync("azora"), await stack.ConnectionStringAsync("cache"));
        var apis = new List<(string Name, Process Process, Uri Url)>();
        try
        {
            foreach (var (name, directory) in builds)
            {
                foreach (var limits in new[] { false, true })
                {
                    var address = new Uri($"http://127.0.0.1:{BenchmarkStack.FreePort()}");
                    var api = Process.Start(ApiStart(directory, address, limits, stack, database, cache))!;
                    api.BeginOutputReadLine();
                    api.BeginErrorReadLine();
                    apis.Add(($"{name}, rate limits {(limits ? "on" : "off")}", api, new Uri(address, Path)));
                }
            }

            byte[]? body = null;
            foreach (var (_, _, url) in apis)
            {
                await WaitHealthyAsync(new Uri(url, "/"));
                using var http = new HttpClient();
                body ??= await http.GetByteArrayAsync(url);
                await WrkAsync(url, TimeSpan.FromSeconds(3), connections);
            }

            await using var ceilingApp = await CeilingAsync(body!);
            var servers = new List<(string Name, Uri Url, Func<TimeSpan>? Cpu)> { ("bare app, the same bytes from memory", ceilingApp.Url, null) };
            servers.AddRange(apis.Select<(string Name, Process Process, Uri Url), (string, Uri, Func<TimeSpan>?)>(api => (api.Name, api.Url, () =>
            {
                api.Process.Refresh();
                return api.Process.TotalProcessorTime;
            })));
            var best = servers.ToDictionary(server => server.Name, _ => (PerSecond: 0.0, CpuMs: 0.0, NotOk: 0L));
            for (var round = 0; round < Rounds; round++)
            {
                foreach (var (name, url, cpu) in servers)
                {
                    var before = cpu?.Invoke() ?? TimeSpan.Zero;
                    var (perSecond, requests, notOk) = await WrkAsync(url, phase, connections);
                    var cpuMs = cpu is null ? 0 : (cpu() - before).TotalMilliseconds / Math.Max(requests, 1);
                    if (perSecond > best[name].PerSecond)
                    {
                        best[name] = (perSecond, cpuMs, best[name].NotOk + notOk);
                    }
                    else
                    {
                        best[name] = best[name] with { NotOk = best[name].NotOk + notOk };
                    }
                }
            }

            var ceiling = best[servers[0].Name].PerSecond;
            Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the end; " +
                $"wrk -t1 -c{connections}, best of {Rounds} rounds of {phase.TotalSeconds} s per server; GET {Path} (cached, {body!.Length} bytes)");
            Console.WriteLine($"{"server",-40} {"req/s",8} {"of ceiling",10} {"API CPU ms/req",15} {"not 2xx",8}");
            foreach (var (name, _, _) in servers)
            {
                var (perSecond, cpuMs, notOk) = best[name];
                Console.WriteLine($"{name,-40} {perSecond,8:F0} {perSecond / ceiling,10:F2} {cpuMs,15:F3} {notOk,8}");
            }

            if (profileDirectory is not null)
            {
                foreach (var (name, api, url) in apis.Where(api => api.Name.EndsWith(" on", StringComparison.Ordinal)))
                {
                    var trace = System.IO.Path.Combine(profileDirectory, $"{name.Replace(", ", "-").Replace(' ', '-')}.nettrace");
                    var load = WrkAsync(url, phase + TimeSpan.FromSeconds(2), connections);
                    using var collector = Process.Start("dotnet-trace",
                        ["collect", "-p", api.Id.ToString(CultureInfo.InvariantCulture), "--profile", "dotnet-common,dotnet-sampled-thread-time",
                         "--duration", phase.ToString(@"dd\:hh\:mm\:ss", CultureInfo.InvariantCulture), "-o", trace])!;
                    await collector.WaitForExitAsync();
                    await load;
                }
            }
        }
        finally
        {
            foreach (var (_, api, _) in apis)
            {
                api.Kill();
                await api.WaitForExitAsync();
                api.Dispose();
            }
        }
    }

    private static ProcessStartInfo ApiStart(string directory, Uri address, bool limits, BenchmarkStack stack, string database, string cache)
    {
        var start = new ProcessStartInfo("dotnet", [System.IO.Path.Combine(directory, "Azora.Api.dll")])
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Development, as the benchmark stack runs it (its signing key, the sample catalog); logs are not read.
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_URLS"] = address.ToString();
        start.Environment["OTEL_EXPORTER_OTLP_ENDPOINT"] = "";
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        start.Environment["ConnectionStrings__azora"] = database;
        start.Environment["ConnectionStrings__cache"] = cache;
        start.Environment["Azora__Auth__DevelopmentKeyFile"] = System.IO.Path.Combine(stack.DataDirectory, "jwt-signing-key.pem");
        start.Environment["Azora__RateLimits__Enabled"] = limits ? "true" : "false";
        start.Environment["Azora__RateLimits__KeyPrefix"] = $"benchmark:{Guid.NewGuid():N}";
        start.Environment["Azora__RateLimits__Anonymous__PermitLimit"] = "1000000000";
        return start;
    }

    private static async Task WaitHealthyAsync(Uri address)
    {
        using var http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(10) };
        for (var deadline = Stopwatch.StartNew(); deadline.Elapsed < TimeSpan.FromSeconds(180); await Task.Delay(250))
        {
            try
            {
                using var response = await http.GetAsync("/health");
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or too busy starting to answer.
            }
        }

        throw new InvalidOperationException($"The API at {address} did not become healthy.");
    }

    /// <summary>The response's bytes from memory, by a minimal app in this process: what serving them costs at least.</summary>
    private static async Task<Ceiling> CeilingAsync(byte[] body)
    {
        var port = BenchmarkStack.FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        app.MapGet(Path, () => Results.Bytes(body, "application/json"));
        await app.StartAsync();
        var url = new Uri($"http://127.0.0.1:{port}{Path}");
        await WrkAsync(url, TimeSpan.FromSeconds(3), 32);
        return new Ceiling(app, url);
    }

    private sealed record Ceiling(WebApplication App, Uri Url) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => App.DisposeAsync();
    }

    private static async Task<(double PerSecond, long Requests, long NotOk)> WrkAsync(Uri url, TimeSpan duration, int connections)
    {
        using var wrk = Process.Start(new ProcessStartInfo("wrk", ["-t1", $"-c{connections}", $"-d{(int)duration.TotalSeconds}s", url.ToString()])
        {
            RedirectStandardOutput = true,
            UseShellExecute = false,
        }) ?? throw new InvalidOperationException("wrk did not start (apt-get install wrk).");
        var output = await wrk.StandardOutput.ReadToEndAsync();
        await wrk.WaitForExitAsync();
        var notOk = NotOk().Match(output) is { Success: true } match ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        return (double.Parse(PerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture),
            long.Parse(Requests().Match(output).Groups[1].Value, CultureInfo.InvariantCulture), notOk);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Azora.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Run from the repository (no Azora.sln above the benchmark's output).");
    }

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex PerSecond();

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex Requests();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex NotOk();
}
