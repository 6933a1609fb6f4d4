using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Azora.Benchmarks;

/// <summary>
/// What a valid access token costs per request: <c>GET /</c> anonymous and with a bearer token, and
/// <c>GET /api/auth/profile</c> (one primary-key read), with <c>wrk</c> in one run against a Release API in Production
/// on its own port, talking to PostgreSQL and the cache directly (no Aspire proxy), next to a bare ASP.NET Core app in
/// this process serving the same bytes as the API's <c>GET /</c> from memory (the ceiling). Rate limits are on, with
/// limits too high to refuse anyone (AZORA_BENCHMARK_RATE_LIMITS=off turns them off). AZORA_BENCHMARK_BEFORE=another
/// checkout of the repository (its Azora.Api built in Release) measures that API first in the same run, for
/// before/after figures. AZORA_BENCHMARK_HOLD=1 keeps each API running after its figures (its pid, address and a token
/// are printed) for profiling by hand, until a line is entered or standard input closes.
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

        builds.Add(("this checkout", ServiceProcess.RepositoryRoot()));
        var limitsOn = Environment.GetEnvironmentVariable("AZORA_BENCHMARK_RATE_LIMITS") != "off";
        var apis = new List<Api>();
        try
        {
            foreach (var (name, root) in builds)
            {
                apis.Add(await Api.StartAsync(stack, name, root, limitsOn));
            }

            await using var ceiling = await Ceiling.StartAsync(apis[^1].RootBytes);
            var paths = apis[0].Targets.Select(target => target.Name).ToList();
            // Warm up everything, then measure in rounds that alternate the builds and the ceiling path by path, so
            // the drift of a shared machine falls on all of them alike.
            foreach (var api in apis)
            {
                foreach (var target in api.Targets)
                {
                    await Wrk.RunAsync(target.Url, TimeSpan.FromSeconds(3), connections, target.Headers);
                }
            }

            await Wrk.RunAsync(ceiling.Address, TimeSpan.FromSeconds(3), connections);
            var ceilingRuns = new List<WrkResult>();
            var runs = apis.Select(_ => paths.Select(_ => new List<(WrkResult Wrk, double CpuMs)>()).ToList()).ToList();
            for (var round = 0; round < Rounds; round++)
            {
                ceilingRuns.Add(await Wrk.RunAsync(ceiling.Address, phase, connections));
                for (var path = 0; path < paths.Count; path++)
                {
                    for (var build = 0; build < apis.Count; build++)
                    {
                        var target = apis[build].Targets[path];
                        var cpu = apis[build].Process.Cpu();
                        var result = await Wrk.RunAsync(target.Url, phase, connections, target.Headers);
                        runs[build][path].Add((result, (apis[build].Process.Cpu() - cpu).TotalMilliseconds / Math.Max(result.Requests, 1)));
                    }
                }
            }

            var ceilingRate = ceilingRuns.Average(run => run.PerSecond);
            Console.WriteLine();
            Console.WriteLine($"machine: {Environment.ProcessorCount} cores, load average {File.ReadAllText("/proc/loadavg").Split(' ')[0]} at the end; " +
                $"wrk -t1 -c{connections}, {Rounds} rounds of {phase.TotalSeconds} s per path, alternating; API Release builds in Production on " +
                $"ports of their own, rate limits {(limitsOn ? "on" : "off")}, no proxy; figures are means over the rounds");
            Console.WriteLine($"ceiling (bare app in this process, the same {apis[^1].RootBytes.Length} bytes as GET / from memory): {ceilingRate:F0} req/s");
            for (var build = 0; build < apis.Count; build++)
            {
                Console.WriteLine($"{apis[build].Name}:");
                Console.WriteLine($"  {"path",-60} {"req/s",8} {"p99 ms",8} {"API CPU ms/req",15} {"not 2xx",8} {"of ceiling",11}");
                for (var path = 0; path < paths.Count; path++)
                {
                    var measured = runs[build][path];
                    Console.WriteLine($"  {paths[path],-60} {measured.Average(run => run.Wrk.PerSecond),8:F0} {measured.Max(run => run.Wrk.P99Ms),8:F1} " +
                        $"{measured.Average(run => run.CpuMs),15:F3} {measured.Sum(run => run.Wrk.NotOk),8} {measured.Average(run => run.Wrk.PerSecond) / ceilingRate,11:F2}");
                }
            }

            if (apis.Count == 2)
            {
                for (var path = 0; path < paths.Count; path++)
                {
                    Console.WriteLine($"{paths[path]}: {runs[1][path].Average(run => run.Wrk.PerSecond) / runs[0][path].Average(run => run.Wrk.PerSecond):F2}x before, " +
                        $"API CPU per request {runs[1][path].Average(run => run.CpuMs) / runs[0][path].Average(run => run.CpuMs):F2}x");
                }
            }

            if (Environment.GetEnvironmentVariable("AZORA_BENCHMARK_HOLD") is { Length: > 0 })
            {
                foreach (var api in apis)
                {
                    Console.WriteLine($"holding {api.Name}: API pid {api.Process.Id} at {api.Targets[0].Url}; token {api.Token}");
                }

                await Console.In.ReadLineAsync();
            }
        }
        finally
        {
            foreach (var api in apis)
            {
                api.Process.Dispose();
            }
        }
    }

    private const int Rounds = 2;

    private sealed record Api(string Name, ServiceProcess Process, string Token, byte[] RootBytes, (string Name, Uri Url, IReadOnlyDictionary<string, string>? Headers)[] Targets)
    {
        public static async Task<Api> StartAsync(BenchmarkStack stack, string name, string root, bool limitsOn)
        {
            using var rsa = RSA.Create(2048);
            var api = new Uri($"http://127.0.0.1:{BenchmarkStack.FreePort()}");
            var process = ServiceProcess.Start(root, "Azora.Api", api, new()
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["DOTNET_ENVIRONMENT"] = "Production",
                ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
                ["ConnectionStrings__azora"] = await stack.ConnectionStringAsync("azora"),
                ["ConnectionStrings__cache"] = await stack.ConnectionStringAsync("cache"),
                ["Azora__Auth__SigningKeys__0__Pem"] = rsa.ExportPkcs8PrivateKeyPem(),
                ["Azora__RateLimits__Enabled"] = limitsOn ? "true" : "false",
                ["Azora__RateLimits__KeyPrefix"] = $"benchmark:{Guid.NewGuid():N}",
                ["Azora__RateLimits__Authenticated__PermitLimit"] = "1000000000",
                ["Azora__RateLimits__Anonymous__PermitLimit"] = "1000000000",
                ["Azora__RateLimits__Credentials__PermitLimit"] = "1000000000",
                ["Azora__Stripe__SecretKey"] = "sk_test_azora_benchmark",
                ["Azora__Mail__PublicBaseUrl"] = "https://azora.example",
            });
            try
            {
                await process.WaitHealthyAsync();
                using var http = new HttpClient { BaseAddress = api };
                var email = $"benchmark-{Guid.NewGuid():N}@example.com";
                using var register = await http.PostAsJsonAsync("/api/auth/register", new { email, password = Password, name = "Benchmark" });
                register.EnsureSuccessStatusCode();
                using var login = await http.PostAsJsonAsync("/api/auth/login", new { email, password = Password });
                login.EnsureSuccessStatusCode();
                var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
                var bearer = new Dictionary<string, string> { ["Authorization"] = $"Bearer {token}" };
                return new Api(name, process, token, await http.GetByteArrayAsync("/"),
                [
                    ("GET / anonymous", new Uri(api, "/"), null),
                    ("GET / with a valid access token", new Uri(api, "/"), bearer),
                    ("GET /api/auth/profile (access token, one primary-key read)", new Uri(api, "/api/auth/profile"), bearer),
                ]);
            }
            catch
            {
                process.Dispose();
                throw;
            }
        }
    }

    /// <summary>A bare minimal API answering every request with the API's <c>GET /</c> bytes from memory.</summary>
    private sealed class Ceiling(WebApplication app, Uri address) : IAsyncDisposable
    {
        public Uri Address { get; } = address;

        public static async Task<Ceiling> StartAsync(byte[] body)
        {
            var address = new Uri($"http://127.0.0.1:{BenchmarkStack.FreePort()}");
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseUrls(address.ToString());
            var app = builder.Build();
            app.MapGet("/", () => Results.Bytes(body, "application/json"));
            await app.StartAsync();
            return new Ceiling(app, address);
        }

        public async ValueTask DisposeAsync()
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }
}
