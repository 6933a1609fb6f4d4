using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using Azora.Testing.Contract;
using Azora.Tests.Stack;

namespace Azora.Tests.Api;

/// <summary>
/// One more API (or payments worker) process, run from its build output against the stack's PostgreSQL and Redis,
/// with settings of its own (small rate limits, trusted proxies, an unreachable cache…). Two of them are two replicas.
/// </summary>
internal sealed class ApiInstance : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _standardOutput = new();

    private ApiInstance(Process process, Uri address, bool paymentsWorker)
    {
        _process = process;
        // The API's responses are checked against its OpenAPI document; the payments worker has no document.
        Client = paymentsWorker ? new HttpClient { BaseAddress = address } : new HttpClient(new ContractValidatingHandler()) { BaseAddress = address };
    }

    public HttpClient Client { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>What the process wrote to stdout alone (where its logs go), line by line.</summary>
    public string StandardOutput
    {
        get
        {
            lock (_output)
            {
                return _standardOutput.ToString();
            }
        }
    }

    /// <summary>
    /// The stack's mail catcher as the SMTP relay: outside Development a payments worker refuses to start without one,
    /// and any mail it sends meanwhile arrives there.
    /// </summary>
    public static Dictionary<string, string> MailRelaySettings(AzoraStackFixture stack)
    {
        var relay = stack.App.GetEndpoint("mail", "smtp");
        return new Dictionary<string, string>
        {
            ["Azora:Mail:Smtp:Host"] = relay.Host,
            ["Azora:Mail:Smtp:Port"] = relay.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Azora:Mail:Smtp:Security"] = "None",
        };
    }

    /// <param name="settings">Configuration keys as in appsettings (<c>Azora:RateLimits:Anonymous:PermitLimit</c>).</param>
    public static async Task<ApiInstance> StartAsync(
        AzoraStackFixture stack, IReadOnlyDictionary<string, string> settings, string? cacheConnectionString = null, string? databaseConnectionString = null,
        bool paymentsWorker = false)
    {
        var port = FreePort();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(paymentsWorker
            ? AssemblyPath(new Projects.Azora_Payments().ProjectPath, "Azora.Payments.dll")
            : AssemblyPath(new Projects.Azora_Api().ProjectPath, "Azora.Api.dll"));
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["ConnectionStrings__azora"] = databaseConnectionString ?? await stack.ConnectionStringAsync("azora");
        start.Environment["ConnectionStrings__cache"] = cacheConnectionString ?? await stack.ConnectionStringAsync("cache");
        start.Environment["Azora__Auth__DevelopmentKeyFile"] = stack.SigningKeyFile;
        // Counters of its own unless the settings name a prefix (replicas of one deployment share theirs).
        start.Environment["Azora__RateLimits__KeyPrefix"] = $"test:{Guid.NewGuid():N}";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__")] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the API.");
        var instance = new ApiInstance(process, new Uri($"http://127.0.0.1:{port}"), paymentsWorker);
        process.OutputDataReceived += (_, line) => instance.Append(line.Data, standardOutput: true);
        process.ErrorDataReceived += (_, line) => instance.Append(line.Data, standardOutput: false);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await instance.WaitUntilAliveAsync();
        return instance;
    }

    /// <summary>
    /// Until the instance has connected to Redis its general rate limits fail open (no X-RateLimit-* headers); a test
    /// that counts what the limits admit from the first request waits for the connection, which a busy machine delays.
    /// </summary>
    public async Task WaitUntilCacheConnectedAsync()
    {
        var cache = await Eventually.ReadAsync(
            async () =>
            {
                using var health = await Client.GetAsync("/health");
                return (await health.JsonAsync()).GetProperty("checks").GetProperty("StackExchange.Redis").GetString();
            },
            status => status == "Healthy", attempts: 100, TimeSpan.FromMilliseconds(200));
        if (cache != "Healthy")
        {
            throw new TimeoutException($"The instance did not connect to Redis (its check says {cache}):\n{Output}");
        }
    }

    /// <summary>A loopback address where nothing listens: a Redis or PostgreSQL that is down.</summary>
    public static string UnreachableEndpoint() => $"127.0.0.1:{FreePort()}";

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private async Task WaitUntilAliveAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (_process.HasExited)
            {
                // HasExited can be true before the redirected output has all been read; waiting for the exit again
                // (with no timeout) also waits for both streams to end, so the message says why it exited.
                await _process.WaitForExitAsync();
                throw new InvalidOperationException($"The API exited with {_process.ExitCode}:\n{Output}");
            }

            try
            {
                using var response = await Client.GetAsync("/alive");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The API did not come alive within {StartTimeout}:\n{Output}");
    }

    private void Append(string? line, bool standardOutput)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
            if (standardOutput)
            {
                _standardOutput.AppendLine(line);
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A service's build output, built in the same configuration as these tests (the AppHost references it).</summary>
    internal static string AssemblyPath(string projectPath, string assembly)
    {
        var configuration = typeof(ApiInstance).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";
        var path = Path.Combine(Path.GetDirectoryName(projectPath)!, "bin", configuration, "net10.0", assembly);
        return File.Exists(path) ? path : throw new FileNotFoundException("Build the solution first; the service is not built.", path);
    }
}
