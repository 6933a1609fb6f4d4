using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;

namespace Azora.Benchmarks;

/// <summary>
/// What a valid access token costs per request: <c>GET /</c> anonymous and with a bearer token, and
/// <c>GET /api/auth/profile</c> (one primary-key read), with <c>wrk</c> in one run against a Release API in Production
/// on its own port, talking to PostgreSQL and the cache directly (no Aspire proxy). Rate limits are on, with limits too
/// high to refuse anyone. Set AZORA_BENCHMARK_BEFORE to another checkout of the repository (its Azora.Api built in
/// Release) to measure that API first in the same run, for before/after figures. Set AZORA_BENCHMARK_HOLD=1 to keep the
/// last API running after the figures (its pid, address and a token are printed) for profiling by hand, until a line is
/// entered or standard input closes.
/// </summary>
internal static class TokenBenchmark
{
    private const string Password = "benchmark-passphrase-of-some-length";

    public static async Task RunAsync(TimeSpan phase, int connections)
    {
        await using var stack = await BenchmarkStack.StartAsync(directInfrastructure: true);
        var builds = new List<(string Name, string Root)>();
        if (Environment.GetEnvironmentVariable("AZORA_BENCHMARK_BEFORE") is { Length: > 0 } before)
        {
            builds.Add(("before", before));
        }

        builds.Add(("this checkout", WebBenchmark.RepositoryRoot()));
        var tables = new List<(string Name, List<(string Path, WebBenchmark.WrkResult Wrk, double CpuMs)> Rows)>();
        foreach (var (name, root) in builds)
        {
            tables.Add((name, await MeasureAsync(stack, root, phase, connections, hold: true)));
        }

        Console.WriteLine();
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the end; " +
            $"wrk -t1 -c{connections}, {phase.TotalSeconds} s per path; API Release build in Production on its own port, rate limits on, no proxy");
        foreach (var (name, rows) in tables)
        {
            Console.WriteLine($"{name}:");
            Console.WriteLine($"  {"path",-60} {"req/s",8} {"p99 ms",8} {"API CPU ms/req",15} {"not 2xx",8} {"of anonymous",13}");
            foreach (var (path, wrk, cpuMs) in rows)
            {
                Console.WriteLine($"  {path,-60} {wrk.PerSecond,8:F0} {wrk.P99Ms,8:F1} {cpuMs,15:F3} {wrk.NotOk,8} {wrk.PerSecond / rows[0].Wrk.PerSecond,13:P0}");
            }
        }

        if (tables.Count == 2)
        {
            for (var i = 0; i < tables[0].Rows.Count; i++)
            {
                Console.WriteLine($"{tables[1].Rows[i].Path}: {tables[1].Rows[i].Wrk.PerSecond / tables[0].Rows[i].Wrk.PerSecond:F2}x before");
            }
        }
    }

    private static async Task<List<(string Path, WebBenchmark.WrkResult Wrk, double CpuMs)>> MeasureAsync(
        BenchmarkStack stack, string root, TimeSpan phase, int connections, bool hold)
    {
        using var rsa = RSA.Create(2048);
        var api = new Uri($"http://127.0.0.1:{BenchmarkStack.FreePort()}");
        using var apiProcess = WebBenchmark.ServiceProcess.Start(root, "Azora.Api", api, new()
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_ENVIRONMENT"] = "Production",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
            ["ConnectionStrings__azora"] = await stack.ConnectionStringAsync("azora"),
            ["ConnectionStrings__cache"] = await stack.ConnectionStringAsync("cache"),
            ["Azora__Auth__SigningKeys__0__Pem"] = rsa.ExportPkcs8PrivateKeyPem(),
            ["Azora__RateLimits__KeyPrefix"] = $"benchmark:{Guid.NewGuid():N}",
            ["Azora__RateLimits__Authenticated__PermitLimit"] = "1000000000",
            ["Azora__RateLimits__Anonymous__PermitLimit"] = "1000000000",
            ["Azora__RateLimits__Credentials__PermitLimit"] = "1000000000",
            ["Azora__Stripe__SecretKey"] = "sk_test_azora_benchmark",
            ["Azora__Mail__PublicBaseUrl"] = "https://azora.example",
        });
        await apiProcess.WaitHealthyAsync();

        string token;
        using (var http = new HttpClient { BaseAddress = api })
        {
            var email = $"benchmark-{Guid.NewGuid():N}@example.com";
            using var register = await http.PostAsJsonAsync("/api/auth/register", new { email, password = Password, name = "Benchmark" });
            register.EnsureSuccessStatusCode();
            using var login = await http.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
            login.EnsureSuccessStatusCode();
            token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
        }

        var bearer = $"Authorization: Bearer {token}";
        var targets = new (string Name, Uri Url, string? Header)[]
        {
            ("GET / anonymous", new Uri(api, "/"), null),
            ("GET / with a valid access token", new Uri(api, "/"), bearer),
            ("GET /api/auth/profile (access token, one primary-key read)", new Uri(api, "/api/auth/profile"), bearer),
        };
        foreach (var target in targets)
        {
            await WebBenchmark.Wrk.RunAsync(target.Url, TimeSpan.FromSeconds(3), connections, target.Header);
        }

        var rows = new List<(string Path, WebBenchmark.WrkResult Wrk, double CpuMs)>();
        foreach (var target in targets)
        {
            var cpu = apiProcess.Cpu();
            var result = await WebBenchmark.Wrk.RunAsync(target.Url, phase, connections, target.Header);
            rows.Add((target.Name, result, (apiProcess.Cpu() - cpu).TotalMilliseconds / Math.Max(result.Requests, 1)));
        }

        if (hold && Environment.GetEnvironmentVariable("AZORA_BENCHMARK_HOLD") is { Length: > 0 })
        {
            Console.WriteLine($"holding: API pid {apiProcess.Id} at {api}; token {token}");
            await Console.In.ReadLineAsync();
        }

        return rows;
    }
}
