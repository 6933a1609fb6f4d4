using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Azora.Soak;

/// <summary>
/// The whole AppHost in local-process mode with its own data directory and random ports, plus a second API replica as
/// a process of the soak's own against the same PostgreSQL and cache. PostgreSQL, the cache and the payments worker
/// listen on fixed ports without Aspire's proxy in front: a proxy stops forwarding once its process died outside
/// Aspire's control, and a restarted server must come back where its clients look for it.
/// </summary>
internal sealed class SoakStack : IAsyncDisposable
{
    /// <summary>The emulator's webhook secret in this stack, so the soak can sign out-of-order events itself.</summary>
    public const string StripeWebhookSecret = "whsec_soak_only";

    /// <summary>Login attempts one account may make from one address per window: the audit spends them all.</summary>
    public const int LoginAttemptLimit = 12;

    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(2);

    private readonly DistributedApplication _app;
    private readonly Dictionary<string, string> _replicaEnvironment;
    private readonly string _replicaAssembly;
    private Process? _replica;

    private SoakStack(DistributedApplication app, string dataDirectory, Dictionary<string, string> replicaEnvironment, string replicaAssembly, Uri replicaAddress)
    {
        _app = app;
        DataDirectory = dataDirectory;
        _replicaEnvironment = replicaEnvironment;
        _replicaAssembly = replicaAssembly;
        ReplicaAddress = replicaAddress;
    }

    public string DataDirectory { get; }

    /// <summary>The AppHost's API (replica A).</summary>
    public Uri ApiAddress => _app.GetEndpoint("api", "http");

    /// <summary>The soak's own API process (replica B).</summary>
    public Uri ReplicaAddress { get; }

    public Uri StripeEmulatorAddress => _app.GetEndpoint("stripe", "http");

    public Uri PaymentsAddress => _app.GetEndpoint("payments", "http");

    public string DatabaseConnectionString { get; private set; } = "";

    /// <summary>The cache server's resource name: garnet or redis, whichever the machine has.</summary>
    public string CacheResource { get; private set; } = "garnet";

    /// <summary>Services whose memory and CPU the report shows; replica B is "api-b".</summary>
    public IReadOnlyList<string> Services => ["api", "api-b", "payments", "postgres", CacheResource, "stripe"];

    public static async Task<SoakStack> StartAsync(TextWriter log, CancellationToken cancellationToken)
    {
        var dataDirectory = ReachableDirectory();
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Azora_AppHost>(
            ["--Azora:Infrastructure=local", $"--Azora:DataDirectory={dataDirectory}", $"--Azora:Stripe:EmulatorWebhookSecret={StripeWebhookSecret}"],
            (options, _) => options.DisableDashboard = true, cancellationToken);
        // The services' own logs and the health checks' complaints during faults would bury the soak's lines.
        builder.Services.AddLogging(logging => logging
            .AddFilter("Azora.AppHost.Resources", LogLevel.None)
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None)
            .AddFilter("Aspire.Hosting", LogLevel.Warning)
            .AddFilter("Azora.AppHost", LogLevel.Warning));
        foreach (var service in builder.Resources.OfType<ProjectResource>())
        {
            // No dashboard listens for OTLP here; exporting to nothing would cost every service CPU.
            builder.CreateResourceBuilder(service).WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", "");
        }

        var cacheResource = "garnet";
        foreach (var server in builder.Resources.OfType<ExecutableResource>().Where(resource => resource.Name is "postgres" or "garnet" or "redis"))
        {
            if (server.Name != "postgres")
            {
                cacheResource = server.Name;
            }

            Unproxied(builder.CreateResourceBuilder(server), "tcp");
        }

        var payments = builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(resource => resource.Name == "payments"));
        Unproxied(payments, "http");
        foreach (var (name, value) in WorkerSettings)
        {
            payments.WithEnvironment(name, value);
        }

        var api = builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(resource => resource.Name == "api"));
        foreach (var (name, value) in ApiSettings)
        {
            api.WithEnvironment(name, value);
        }

        var app = await builder.BuildAsync(cancellationToken);
        await app.StartAsync(cancellationToken);
        foreach (var resource in new[] { "api", "payments", "stripe" })
        {
            await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, cancellationToken);
        }

        var database = await app.GetConnectionStringAsync("azora", cancellationToken) ?? throw new InvalidOperationException("No database connection string.");
        var cache = await app.GetConnectionStringAsync("cache", cancellationToken) ?? throw new InvalidOperationException("No cache connection string.");
        var replicaAddress = new Uri($"http://127.0.0.1:{FreePort()}");
        var environment = new Dictionary<string, string>(ApiSettings)
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_URLS"] = replicaAddress.ToString(),
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
            ["ConnectionStrings__azora"] = database,
            ["ConnectionStrings__cache"] = cache,
            ["Azora__Auth__DevelopmentKeyFile"] = Path.Combine(dataDirectory, "jwt-signing-key.pem"),
            ["Azora__Stripe__SecretKey"] = "sk_test_azora_emulator",
            ["Azora__Stripe__ApiBase"] = app.GetEndpoint("stripe", "http").ToString().TrimEnd('/'),
        };
        var stack = new SoakStack(app, dataDirectory, environment, ServiceAssembly("Azora.Api"), replicaAddress)
        {
            DatabaseConnectionString = database,
            CacheResource = cacheResource,
        };
        await stack.StartReplicaAsync(cancellationToken);
        log.WriteLine($"stack up: api {stack.ApiAddress}, api-b {replicaAddress}, payments {stack.PaymentsAddress}, cache {cacheResource}");
        return stack;
    }

    /// <summary>
    /// The soak's API settings for both replicas: the general limits high enough that no simulated client reaches
    /// them (the audit counts 429s), login attempts low enough that the audit can spend them all, shared counters.
    /// </summary>
    private static Dictionary<string, string> ApiSettings => new()
    {
        ["Azora__RateLimits__Anonymous__PermitLimit"] = "10000000",
        ["Azora__RateLimits__Authenticated__PermitLimit"] = "10000000",
        ["Azora__RateLimits__Credentials__PermitLimit"] = "10000000",
        ["Azora__RateLimits__LoginAttempts__PermitLimit"] = LoginAttemptLimit.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// Reconciliation looks every 2 s at payments open for 15 s (a webhook lost while the worker was down is healed
    /// within the run), and webhook retries stay within seconds, so receivers that come back get their backlog soon.
    /// </summary>
    private static Dictionary<string, string> WorkerSettings => new()
    {
        ["Azora__Payments__Reconciliation__Interval"] = "00:00:02",
        ["Azora__Payments__Reconciliation__MinimumAge"] = "00:00:15",
        ["Azora__Webhooks__PollInterval"] = "00:00:01",
        ["Azora__Webhooks__Timeout"] = "00:00:05",
        ["Azora__Webhooks__FirstRetryDelay"] = "00:00:01",
        ["Azora__Webhooks__MaximumRetryDelay"] = "00:00:08",
        ["Azora__Webhooks__MaximumAttempts"] = "100",
    };

    public async Task StopResourceAsync(string name, CancellationToken cancellationToken)
    {
        using var guard = Guarded(cancellationToken);
        var result = await _app.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(name, "resource-stop", guard.Token);
        if (!result.Success)
        {
            throw new InvalidOperationException($"resource-stop {name}: {result.Message}");
        }

        await WaitUntilDownAsync(name, guard.Token);
    }

    public async Task StartResourceAsync(string name, CancellationToken cancellationToken)
    {
        using var guard = Guarded(cancellationToken);
        var result = await _app.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(name, "resource-start", guard.Token);
        if (!result.Success)
        {
            throw new InvalidOperationException($"resource-start {name}: {result.Message}");
        }

        if (name is "postgres" or "garnet" or "redis")
        {
            await _app.ResourceNotifications.WaitForResourceAsync(name, KnownResourceStates.Running, guard.Token);
        }
        else
        {
            await _app.ResourceNotifications.WaitForResourceHealthyAsync(name, guard.Token);
        }
    }

    /// <summary>SIGKILL for a resource's whole process tree: no shutdown code runs, as when a node fails.</summary>
    public async Task KillResourceAsync(string name, CancellationToken cancellationToken)
    {
        if (ResourcePid(name) is not { } pid)
        {
            throw new InvalidOperationException($"{name} has no process to kill.");
        }

        using (var process = Process.GetProcessById(pid))
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(cancellationToken);
        }

        using var guard = Guarded(cancellationToken);
        await WaitUntilDownAsync(name, guard.Token);
    }

    public void KillReplica()
    {
        if (_replica is { HasExited: false })
        {
            _replica.Kill(entireProcessTree: true);
            _replica.WaitForExit();
        }
    }

    public async Task StartReplicaAsync(CancellationToken cancellationToken)
    {
        _replica?.Dispose();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(_replicaAssembly);
        foreach (var (name, value) in _replicaEnvironment)
        {
            start.Environment[name] = value;
        }

        _replica = Process.Start(start) ?? throw new InvalidOperationException("Could not start API replica B.");
        // Its logs are not kept: read and dropped, so a full pipe never blocks it.
        _replica.OutputDataReceived += (_, _) => { };
        _replica.ErrorDataReceived += (_, _) => { };
        _replica.BeginOutputReadLine();
        _replica.BeginErrorReadLine();
        using var http = new HttpClient { BaseAddress = ReplicaAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < Guard)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_replica.HasExited)
            {
                throw new InvalidOperationException($"API replica B exited with {_replica.ExitCode}.");
            }

            try
            {
                using var response = await http.GetAsync("/health", cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(200, cancellationToken);
        }

        throw new TimeoutException("API replica B did not become healthy.");
    }

    /// <summary>A service's root process id now (null while it is down); "api-b" is the soak's own replica.</summary>
    public int? ResourcePid(string name)
    {
        if (name == "api-b")
        {
            return _replica is { HasExited: false } ? _replica.Id : null;
        }

        if (!_app.ResourceNotifications.TryGetCurrentState(name, out var state) || state.Snapshot.State?.Text != KnownResourceStates.Running)
        {
            return null;
        }

        var pid = state.Snapshot.Properties.FirstOrDefault(property => property.Name == "executable.pid")?.Value;
        return pid is null ? null : Convert.ToInt32(pid, CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        KillReplica();
        _replica?.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A server still closing its files; the folder is under /tmp.
        }
    }

    private Task WaitUntilDownAsync(string name, CancellationToken cancellationToken) =>
        _app.ResourceNotifications.WaitForResourceAsync(
            name, state => state.Snapshot.State?.Text is "Exited" or "Finished" or "FailedToStart", cancellationToken);

    private static CancellationTokenSource Guarded(CancellationToken cancellationToken)
    {
        var guard = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        guard.CancelAfter(Guard);
        return guard;
    }

    private static void Unproxied<T>(IResourceBuilder<T> resource, string endpointName) where T : IResourceWithEndpoints
    {
        var port = FreePort();
        resource.WithEndpoint(endpointName, endpoint =>
        {
            endpoint.IsProxied = false;
            endpoint.Port = port;
            endpoint.TargetPort = port;
        });
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A fresh folder under /tmp/azora-tests that the postgres user can enter (PostgreSQL runs as it under root).</summary>
    private static string ReachableDirectory()
    {
        const UnixFileMode open = (UnixFileMode)0b111_101_101;
        var root = Path.Combine(Path.GetTempPath(), "azora-tests");
        Directory.CreateDirectory(root, open);
        File.SetUnixFileMode(root, open);
        var directory = Path.Combine(root, $"soak-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory, open);
        return directory;
    }

    /// <summary>A service's build output in the configuration the soak itself was built in.</summary>
    private static string ServiceAssembly(string project)
    {
        var configuration = typeof(SoakStack).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var path = Path.Combine(directory.FullName, project, "bin", configuration, "net10.0", $"{project}.dll");
            if (File.Exists(Path.Combine(directory.FullName, "Azora.sln")))
            {
                return File.Exists(path) ? path : throw new FileNotFoundException($"Build {project} in {configuration} first.", path);
            }
        }

        throw new InvalidOperationException("No Azora.sln above the soak's output.");
    }
}
