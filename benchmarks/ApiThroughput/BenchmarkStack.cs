using System.Diagnostics;
using System.Net;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;

namespace Azora.Benchmarks;

/// <summary>
/// The whole stack as the tests run it (local processes, random ports, own data directory), with rate limits off so
/// they do not cap a measurement, and helpers to load the API and read its CPU time.
/// </summary>
internal sealed class BenchmarkStack : IAsyncDisposable
{
    private readonly DistributedApplication _app;
    private readonly string _dataDirectory;
    private readonly int _apiRoot;

    private BenchmarkStack(DistributedApplication app, string dataDirectory, int apiRoot, SmtpSink? mailSink)
    {
        _app = app;
        MailSink = mailSink;
        _dataDirectory = dataDirectory;
        _apiRoot = apiRoot;
        Client = new HttpClient { BaseAddress = app.GetEndpoint("api", "http") };
    }

    /// <summary>The emulator's webhook secret in this stack, so the benchmark can sign events itself.</summary>
    public const string StripeWebhookSecret = "whsec_benchmark_only";

    public HttpClient Client { get; }

    /// <summary>Where the payments worker sends mail in a stack with direct infrastructure; otherwise it uses the mail catcher.</summary>
    public SmtpSink? MailSink { get; }

    public Uri Endpoint(string resource) => _app.GetEndpoint(resource, "http");

    /// <summary>This stack's own data directory (its PostgreSQL cluster, the Development signing key).</summary>
    public string DataDirectory => _dataDirectory;

    /// <param name="directInfrastructure">PostgreSQL and the cache on fixed free ports without Aspire's proxy in front,
    /// for services the benchmark starts itself and points at them; the payments worker's HTTP endpoint likewise, so
    /// Stripe events sent to <see cref="Endpoint"/>("payments") reach it without a proxy; and the worker's mail goes to
    /// <see cref="MailSink"/>.</param>
    public static async Task<BenchmarkStack> StartAsync(bool directInfrastructure = false)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "azora-tests", $"benchmark-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dataDirectory, (UnixFileMode)0b111_101_101);
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Azora_AppHost>(
            ["--Azora:Infrastructure=local", $"--Azora:DataDirectory={dataDirectory}", $"--Azora:Stripe:EmulatorWebhookSecret={StripeWebhookSecret}"], (options, _) => options.DisableDashboard = true);
        foreach (var service in builder.Resources.OfType<ProjectResource>())
        {
            // No dashboard listens for OTLP here; exporting to nothing would cost the services CPU every second.
            builder.CreateResourceBuilder(service).WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", "");
        }

        SmtpSink? mailSink = null;
        if (directInfrastructure)
        {
            foreach (var server in builder.Resources.OfType<ExecutableResource>().Where(resource => resource.Name is "postgres" or "garnet" or "redis"))
            {
                var port = FreePort();
                builder.CreateResourceBuilder(server).WithEndpoint("tcp", endpoint =>
                {
                    endpoint.IsProxied = false;
                    endpoint.Port = port;
                    endpoint.TargetPort = port;
                });
            }

            var workerPort = FreePort();
            mailSink = SmtpSink.Start();
            builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(resource => resource.Name == "payments"))
                .WithEndpoint("http", endpoint =>
                {
                    endpoint.IsProxied = false;
                    endpoint.Port = workerPort;
                    endpoint.TargetPort = workerPort;
                })
                .WithEnvironment("Azora__Mail__Smtp__Host", "localhost")
                .WithEnvironment("Azora__Mail__Smtp__Port", mailSink.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(resource => resource.Name == "api"))
            .WithEnvironment("Azora__RateLimits__Enabled", "false");
        var app = await builder.BuildAsync();
        await app.StartAsync();
        await app.ResourceNotifications.WaitForResourceHealthyAsync("api");
        await app.ResourceNotifications.WaitForResourceHealthyAsync("payments");
        await app.ResourceNotifications.WaitForResourceHealthyAsync("stripe");
        app.ResourceNotifications.TryGetCurrentState("api", out var api);
        // Aspire starts the project through `dotnet run`; the API is that process's child, so count the whole tree.
        var apiRoot = Convert.ToInt32(api!.Snapshot.Properties.Single(property => property.Name == "executable.pid").Value);
        return new BenchmarkStack(app, dataDirectory, apiRoot, mailSink);
    }

    /// <summary>
    /// Waits until the machine's CPUs were at least 90 % idle over a whole second (from /proc/stat), for at most a minute;
    /// answers how long that took, or null when they never were.
    /// </summary>
    public static async Task<TimeSpan?> MachineIdleAsync()
    {
        static (long Idle, long Total) Sample()
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
            // user nice system idle iowait irq softirq steal: idle and iowait are the idle time.
            return (fields[3] + fields[4], fields.Take(8).Sum());
        }

        var waited = Stopwatch.StartNew();
        var before = Sample();
        while (waited.Elapsed < TimeSpan.FromMinutes(1))
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            var now = Sample();
            if (now.Total > before.Total && (now.Idle - before.Idle) >= 0.9 * (now.Total - before.Total))
            {
                return waited.Elapsed;
            }

            before = now;
        }

        return null;
    }

    /// <summary>Fewer methods than this compiled in a warm-up round: the JIT is done with the hot paths.</summary>
    public const long QuietJit = 100;

    /// <summary>A service's count of JIT-compiled methods so far, from its Prometheus endpoint (.NET's System.Runtime meter).</summary>
    public static async Task<long> CompiledMethodsAsync(HttpClient service)
    {
        var metrics = await service.GetStringAsync("/metrics");
        var line = metrics.Split('\n').FirstOrDefault(line => line.StartsWith("dotnet_jit_compiled_methods", StringComparison.Ordinal))
            ?? throw new InvalidOperationException("The service's /metrics has no dotnet_jit_compiled_methods.");
        return (long)double.Parse(line[(line.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A loopback TCP port that nothing listens on right now.</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// <c>VACUUM (ANALYZE)</c> of the whole database, as autovacuum would do a minute after a bulk change: marks pages
    /// all-visible for index-only scans and gives the planner the tables' real size, which also makes PostgreSQL plan
    /// again the statements it had cached for smaller tables. Not inside a transaction: VACUUM cannot run in one.
    /// </summary>
    public static async Task AnalyzeAsync(Npgsql.NpgsqlConnection connection)
    {
        await using var vacuum = new Npgsql.NpgsqlCommand("VACUUM (ANALYZE)", connection) { CommandTimeout = 300 };
        await vacuum.ExecuteNonQueryAsync();
    }

    public async Task<string> ConnectionStringAsync(string name) =>
        await _app.GetConnectionStringAsync(name) ?? throw new InvalidOperationException($"No connection string '{name}'.");

    public TimeSpan ApiCpu() => TreeCpu(_apiRoot);

    /// <summary>The CPU time of a resource's process tree so far (e.g. "payments", or "postgres" with every backend).</summary>
    public TimeSpan ResourceCpu(string resource)
    {
        _app.ResourceNotifications.TryGetCurrentState(resource, out var state);
        return TreeCpu(Convert.ToInt32(state!.Snapshot.Properties.Single(property => property.Name == "executable.pid").Value));
    }

    /// <summary><paramref name="concurrency"/> clients calling in a loop for <paramref name="duration"/>.</summary>
    public async Task<LoadResult> LoadAsync(Func<Task<HttpStatusCode>> call, TimeSpan duration, int concurrency)
    {
        var cpuBefore = ApiCpu();
        var ok = 0L;
        var failed = 0L;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (stopwatch.Elapsed < duration)
            {
                if (await call() == HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref ok);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                }
            }
        }));
        return new LoadResult(ok, failed, stopwatch.Elapsed, ApiCpu() - cpuBefore);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (MailSink is not null)
        {
            await MailSink.DisposeAsync();
        }

        Directory.Delete(_dataDirectory, recursive: true);
    }

    private static TimeSpan TreeCpu(int root)
    {
        var parents = Directory.GetDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => int.TryParse(name, out _))
            .Select(name => (Pid: int.Parse(name!), Parent: ParentOf(int.Parse(name!))))
            .ToList();
        var tree = new HashSet<int> { root };
        for (var grew = true; grew;)
        {
            grew = false;
            foreach (var (pid, parent) in parents)
            {
                if (tree.Contains(parent) && tree.Add(pid))
                {
                    grew = true;
                }
            }
        }

        var total = TimeSpan.Zero;
        foreach (var pid in tree)
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                total += process.TotalProcessorTime;
            }
            catch (ArgumentException)
            {
                // Exited meanwhile.
            }
        }

        return total;
    }

    private static int ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1]);
        }
        catch (IOException)
        {
            return -1;
        }
    }
}

internal sealed record LoadResult(long Ok, long Failed, TimeSpan Elapsed, TimeSpan ServerCpu)
{
    public double PerSecond => Ok / Elapsed.TotalSeconds;

    public string Describe(string what) =>
        $"{what}: {PerSecond:F1}/s ({Ok} ok, {Failed} not ok), API CPU {ServerCpu.TotalMilliseconds / Math.Max(Ok, 1):F2} ms per request";
}
