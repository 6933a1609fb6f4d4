// Logins and authenticated profile reads per second against the real stack (local PostgreSQL and cache, rate limits
// off), with the API process's CPU time per request, next to the raw rate of the password hasher measured in the
// same run. Usage: dotnet run -c Release --project benchmarks/AuthThroughput -- [seconds per phase] [concurrency]
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.AspNetCore.Identity;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

var seconds = args.Length > 0 ? int.Parse(args[0]) : 10;
var concurrency = args.Length > 1 ? int.Parse(args[1]) : 2 * Environment.ProcessorCount;
var phase = TimeSpan.FromSeconds(seconds);
const string Password = "benchmark-passphrase-of-some-length";

// 1. The hasher alone: the ceiling for logins, which verify one hash each.
var hasher = new PasswordHasher<object>();
var stored = hasher.HashPassword(new object(), Password);
var hashOneCore = HashRate(1);
var hashAllCores = HashRate(Environment.ProcessorCount);

// 2. The stack, as the tests run it, with rate limits off so they do not cap the measurement.
var dataDirectory = Path.Combine(Path.GetTempPath(), "azora-tests", $"benchmark-{Guid.NewGuid():N}");
Directory.CreateDirectory(dataDirectory, (UnixFileMode)0b111_101_101);
var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.Azora_AppHost>(
    ["--Azora:Infrastructure=local", $"--Azora:DataDirectory={dataDirectory}"], (options, _) => options.DisableDashboard = true);
foreach (var service in builder.Resources.OfType<ProjectResource>())
{
    // No dashboard listens for OTLP here; exporting to nothing would cost the services CPU every second.
    builder.CreateResourceBuilder(service).WithEnvironment("OTEL_EXPORTER_OTLP_ENDPOINT", "");
}

builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(resource => resource.Name == "api"))
    .WithEnvironment("Azora__RateLimits__Enabled", "false");
await using var app = await builder.BuildAsync();
await app.StartAsync();
await app.ResourceNotifications.WaitForResourceHealthyAsync("api");
app.ResourceNotifications.TryGetCurrentState("api", out var api);
// Aspire starts the project through `dotnet run`; the API is that process's child, so count the whole tree.
var apiRoot = Convert.ToInt32(api!.Snapshot.Properties.Single(property => property.Name == "executable.pid").Value);

using var client = new HttpClient { BaseAddress = app.GetEndpoint("api", "http") };
client.DefaultRequestHeaders.ConnectionClose = false;
var email = $"benchmark-{Guid.NewGuid():N}@example.com";
using (var register = await client.PostAsJsonAsync("/api/auth/register", new { email, password = Password, name = "Benchmark" }))
{
    register.EnsureSuccessStatusCode();
}

var loginBody = JsonSerializer.Serialize(new { email, password = Password });
Func<Task<HttpStatusCode>> login = async () =>
{
    using var response = await client.PostAsync("/api/auth/login", new StringContent(loginBody, System.Text.Encoding.UTF8, "application/json"));
    return response.StatusCode;
};
string accessToken;
using (var response = await client.PostAsync("/api/auth/login", new StringContent(loginBody, System.Text.Encoding.UTF8, "application/json")))
{
    accessToken = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
}

Func<Task<HttpStatusCode>> profile = async () =>
{
    using var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/profile");
    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
    using var response = await client.SendAsync(request);
    return response.StatusCode;
};

// Warm up both paths (tiered JIT recompiles hot methods in the background for a while), then take the API's idle
// CPU, which every per-request figure below includes.
await LoadAsync(login, TimeSpan.FromSeconds(10));
await LoadAsync(profile, TimeSpan.FromSeconds(5));
var idleBefore = TreeCpu(apiRoot);
await Task.Delay(TimeSpan.FromSeconds(5));
var idle = (TreeCpu(apiRoot) - idleBefore) / 5;
var logins = await LoadAsync(login, phase);
var profiles = await LoadAsync(profile, phase);

Console.WriteLine($"machine: {Environment.ProcessorCount} cores; {seconds} s per phase; {concurrency} concurrent clients");
Console.WriteLine($"password hasher (PBKDF2-HMAC-SHA512, 100,000 iterations): {hashOneCore:F1}/s on one core, {hashAllCores:F1}/s on all cores");
Console.WriteLine($"API idle: {idle.TotalMilliseconds:F0} ms CPU per second");
Console.WriteLine(logins.Describe("POST /api/auth/login"));
Console.WriteLine(profiles.Describe("GET /api/auth/profile"));
Console.WriteLine($"logins per second / hash verifications per second (all cores): {logins.PerSecond / hashAllCores:P0}");

await app.StopAsync();
Directory.Delete(dataDirectory, recursive: true);

double HashRate(int threads)
{
    var count = 0L;
    var stopwatch = Stopwatch.StartNew();
    Parallel.For(0, threads, _ =>
    {
        while (stopwatch.Elapsed < phase)
        {
            if (hasher.VerifyHashedPassword(new object(), stored, Password) != PasswordVerificationResult.Success)
            {
                throw new InvalidOperationException("The hasher refused its own hash.");
            }

            Interlocked.Increment(ref count);
        }
    });
    return count / stopwatch.Elapsed.TotalSeconds;
}

async Task<LoadResult> LoadAsync(Func<Task<HttpStatusCode>> call, TimeSpan duration)
{
    var cpuBefore = TreeCpu(apiRoot);
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
    var elapsed = stopwatch.Elapsed;
    return new LoadResult(ok, failed, elapsed, TreeCpu(apiRoot) - cpuBefore);
}

static TimeSpan TreeCpu(int root)
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

static int ParentOf(int pid)
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

internal sealed record LoadResult(long Ok, long Failed, TimeSpan Elapsed, TimeSpan ServerCpu)
{
    public double PerSecond => Ok / Elapsed.TotalSeconds;

    public string Describe(string what) =>
        $"{what}: {PerSecond:F1}/s ({Ok} ok, {Failed} not ok), API CPU {ServerCpu.TotalMilliseconds / Math.Max(Ok, 1):F2} ms per request";
}
