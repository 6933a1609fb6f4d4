using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Azora.Client;
using Microsoft.Playwright;

namespace Azora.Benchmarks;

/// <summary>
/// The portal's server-rendered catalog page (<c>GET /courses</c>) and a course page against the API calls they make
/// (the cached course list and the course), requests per second and p99 with <c>wrk</c> in the same run, and the
/// catalog page's time to first byte and to <c>load</c> in Chromium. The API and the portal run from their Release
/// outputs as plain processes on ports of their own, talking to each other, to PostgreSQL and to the cache directly:
/// no Aspire proxy is in the measured path. The rest of the stack (migrations, the sample catalog) is the test stack's.
/// </summary>
internal static class WebBenchmark
{
    // Azora.Client asks for page 1 of CatalogQuery.PageSize (12) with its query parameters in the URL template's order:
    // the API call the catalog page makes, cached by the API after the first.
    private const string ApiList = "/api/education/courses?limit=12&page=1";

    public static async Task RunAsync(TimeSpan phase, int connections, int browserLoads)
    {
        var root = ServiceProcess.RepositoryRoot();
        await using var stack = await BenchmarkStack.StartAsync(directInfrastructure: true);
        var database = await stack.ConnectionStringAsync("azora");
        var cache = await stack.ConnectionStringAsync("cache");
        var apiPort = BenchmarkStack.FreePort();
        var webPort = BenchmarkStack.FreePort();
        var api = new Uri($"http://127.0.0.1:{apiPort}");
        var web = new Uri($"http://127.0.0.1:{webPort}");
        // Development, as the local stack runs both (the API's Development signing key, the sample catalog).
        var common = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
            ["ConnectionStrings__cache"] = cache,
        };

        using var apiProcess = ServiceProcess.Start(root, "Azora.Api", api, new(common)
        {
            ["ConnectionStrings__azora"] = database,
            ["Azora__RateLimits__Enabled"] = "false",
            ["Azora__Auth__DevelopmentKeyFile"] = Path.Combine(stack.DataDirectory, "jwt-signing-key.pem"),
            ["Azora__Stripe__SecretKey"] = "sk_test_azora_emulator",
            ["Azora__Stripe__ApiBase"] = stack.Endpoint("stripe").ToString(),
            ["Azora__Mail__PublicBaseUrl"] = "http://localhost:5090",
        });
        await apiProcess.WaitHealthyAsync();
        // Service discovery reads the API's address as Aspire would give it.
        using var webProcess = ServiceProcess.Start(root, "Azora.Web", web, new(common) { ["services__api__http__0"] = api.ToString().TrimEnd('/') });
        await webProcess.WaitHealthyAsync();

        string slug;
        using (var http = new HttpClient { BaseAddress = api })
        {
            var list = await http.GetFromJsonAsync<JsonElement>(ApiList);
            slug = list.GetProperty("data")[0].GetProperty("slug").GetString()!;
        }

        var targets = new (string Name, Uri Url)[]
        {
            ($"API   GET {ApiList}", new Uri(api, ApiList)),
            ("portal GET /courses", new Uri(web, "/courses")),
            ($"API   GET /api/education/courses/{slug}", new Uri(api, $"/api/education/courses/{slug}")),
            ($"portal GET /courses/{slug}", new Uri(web, $"/courses/{slug}")),
            // The floor under both pages: the layout alone, rendered by the same Blazor pipeline without an API call.
            ("portal GET /not-found (layout only, no API call)", new Uri(web, "/not-found")),
        };

        // Warm up every path (JIT, connection pools, the API's response cache), then measure each in turn.
        var sizes = new List<long>();
        using (var http = new HttpClient())
        {
            foreach (var target in targets)
            {
                await Wrk.RunAsync(target.Url, TimeSpan.FromSeconds(3), connections);
                sizes.Add((await http.GetByteArrayAsync(target.Url)).LongLength);
            }

            // Measure the real page, not an error page that happens to answer 200.
            if (!(await http.GetStringAsync(new Uri(web, "/courses"))).Contains("data-testid=\"course-card\"", StringComparison.Ordinal))
            {
                throw new InvalidOperationException("The portal's catalog page shows no course card.");
            }
        }

        Func<TimeSpan>[] processes = [apiProcess.Cpu, webProcess.Cpu, SelfCpu];
        var phases = new List<(string Name, WrkResult Wrk, CpuSpan Cpu, long Bytes)>();
        for (var i = 0; i < targets.Length; i++)
        {
            var meter = CpuSpan.Start(processes);
            var result = await Wrk.RunAsync(targets[i].Url, phase, connections);
            phases.Add((targets[i].Name, result, meter.Stop(), sizes[i]));
        }

        // The portal's share spent in Azora.Client, measured in this process on the same call: a plain HttpClient
        // reading the bytes, Azora.Client as the portal uses it (a new client per request over a shared HttpClient:
        // its pipeline, Kiota's request building and parsing), and one long-lived Azora.Client.
        using var shared = new HttpClient { BaseAddress = api };
        using var longLived = new AzoraClient(shared);
        var clientCosts = new (string Name, Func<Task<int>> Call)[]
        {
            ("plain HttpClient, bytes only", async () => (await shared.GetByteArrayAsync(ApiList)).Length),
            ("Azora.Client, one per request (as the portal)", async () =>
            {
                using var perRequest = new AzoraClient(shared);
                return (await perRequest.ListCoursesAsync(page: 1, limit: 12)).Items.Count;
            }),
            ("Azora.Client, long-lived", async () => (await longLived.ListCoursesAsync(page: 1, limit: 12)).Items.Count),
        };
        foreach (var (_, call) in clientCosts)
        {
            await Calls(call, TimeSpan.FromSeconds(2), 4);
        }

        var clientPhases = new List<(string Name, CpuSpan Cpu, long Calls)>();
        foreach (var (name, call) in clientCosts)
        {
            var meter = CpuSpan.Start(processes);
            var calls = await Calls(call, phase / 2, 4);
            clientPhases.Add((name, meter.Stop(), calls));
        }

        // What each process spends doing nothing (timers, health checks, the stack's host in this one) comes off the
        // CPU per request, so a slow path is not charged for the time it leaves idle; measured last, once the
        // background compilation that follows the warm-up is over.
        var idle = await CpuSpan.IdleRatesAsync(processes, TimeSpan.FromSeconds(5));
        var results = phases.Select(p => (p.Name, p.Wrk, ApiCpuMs: p.Cpu.NetMs(0, idle) / Math.Max(p.Wrk.Requests, 1),
            WebCpuMs: p.Cpu.NetMs(1, idle) / Math.Max(p.Wrk.Requests, 1), p.Bytes)).ToList();
        var clientResults = clientPhases.Select(p => (p.Name, CpuMs: p.Cpu.NetMs(2, idle) / p.Calls, p.Calls)).ToList();

        var (ttfb, load) = await BrowserAsync(new Uri(web, "/courses"), browserLoads);

        Console.WriteLine();
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the end; " +
            $"wrk -t1 -c{connections}, {phase.TotalSeconds} s per path; API and portal Release builds on their own ports, no proxy; " +
            "CPU per request net of each process's idle CPU");
        Console.WriteLine($"{"path",-56} {"req/s",8} {"p99 ms",8} {"bytes",7} {"API CPU ms/req",15} {"portal CPU ms/req",18} {"not 2xx",8}");
        foreach (var (name, wrk, apiCpuMs, webCpuMs, bytes) in results)
        {
            Console.WriteLine($"{name,-56} {wrk.PerSecond,8:F0} {wrk.P99Ms,8:F1} {bytes,7} {apiCpuMs,15:F2} {webCpuMs,18:F2} {wrk.NotOk,8}");
        }

        var (apiListRate, catalogRate, apiCourseRate, courseRate) = (results[0].Wrk.PerSecond, results[1].Wrk.PerSecond, results[2].Wrk.PerSecond, results[3].Wrk.PerSecond);
        Console.WriteLine($"catalog page / its API call, requests per second: {catalogRate / apiListRate:P0} " +
            $"(the page costs {apiListRate / catalogRate:F1}x the call; aim: within 3x, i.e. at least 33 %)");
        Console.WriteLine($"course page / its API call, requests per second:  {courseRate / apiCourseRate:P0} (the page costs {apiCourseRate / courseRate:F1}x the call)");
        foreach (var (name, cpuMs, calls) in clientResults)
        {
            Console.WriteLine($"client CPU per GET {ApiList}, {name}: {cpuMs:F2} ms ({calls} calls)");
        }

        Console.WriteLine($"Chromium, GET /courses, {browserLoads} first visits (a new browser context each): " +
            $"time to first byte median {Percentile(ttfb, 0.5):F1} ms, p95 {Percentile(ttfb, 0.95):F1} ms; " +
            $"load event end median {Percentile(load, 0.5):F1} ms, p95 {Percentile(load, 0.95):F1} ms");
    }

    private static TimeSpan SelfCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private static async Task<long> Calls(Func<Task<int>> call, TimeSpan duration, int concurrency)
    {
        var calls = 0L;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (stopwatch.Elapsed < duration)
            {
                if (await call() == 0)
                {
                    throw new InvalidOperationException("The course list came back empty.");
                }

                Interlocked.Increment(ref calls);
            }
        }));
        return calls;
    }

    /// <summary>CPU time of several processes over one span of wall time.</summary>
    private sealed record CpuSpan(TimeSpan[] Used, double Seconds)
    {
        public static Meter Start(Func<TimeSpan>[] sources) => new(sources, [.. sources.Select(source => source())], Stopwatch.StartNew());

        /// <summary>Each process's CPU milliseconds per second of wall time while nothing is asked of it.</summary>
        public static async Task<double[]> IdleRatesAsync(Func<TimeSpan>[] sources, TimeSpan span)
        {
            var meter = Start(sources);
            await Task.Delay(span);
            var idle = meter.Stop();
            return [.. idle.Used.Select(used => used.TotalMilliseconds / idle.Seconds)];
        }

        /// <summary>Process <paramref name="index"/>'s CPU milliseconds in this span less its idle rate over the span.</summary>
        public double NetMs(int index, double[] idlePerSecond) => Math.Max(0, Used[index].TotalMilliseconds - idlePerSecond[index] * Seconds);

        public sealed record Meter(Func<TimeSpan>[] Sources, TimeSpan[] Before, Stopwatch Elapsed)
        {
            public CpuSpan Stop() => new([.. Sources.Select((source, i) => source() - Before[i])], Elapsed.Elapsed.TotalSeconds);
        }
    }

    /// <summary><paramref name="loads"/> visits, each in a fresh context (empty cache, new connection), after three unmeasured ones;
    /// the navigation timing entry's responseStart and loadEventEnd (milliseconds from the navigation's start).</summary>
    private static async Task<(List<double> Ttfb, List<double> Load)> BrowserAsync(Uri page, int loads)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = Environment.GetEnvironmentVariable("AZORA_CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
        });
        var ttfb = new List<double>();
        var load = new List<double>();
        for (var i = -3; i < loads; i++)
        {
            await using var context = await browser.NewContextAsync();
            var tab = await context.NewPageAsync();
            var response = await tab.GotoAsync(page.ToString(), new() { WaitUntil = WaitUntilState.Load });
            if (response is not { Status: 200 })
            {
                throw new InvalidOperationException($"The catalog page answered {response?.Status} in Chromium.");
            }

            // loadEventEnd is written after the load handlers return, a moment after Playwright sees the event.
            await tab.WaitForFunctionAsync("() => performance.getEntriesByType('navigation')[0].loadEventEnd > 0");
            var timing = await tab.EvaluateAsync<double[]>(
                "() => { const n = performance.getEntriesByType('navigation')[0]; return [n.responseStart, n.loadEventEnd]; }");
            if (i >= 0)
            {
                ttfb.Add(timing[0]);
                load.Add(timing[1]);
            }
        }

        ttfb.Sort();
        load.Sort();
        return (ttfb, load);
    }

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];
}
