using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Identity;

namespace Azora.Benchmarks;

/// <summary>
/// Logins and authenticated profile reads per second, with the API's CPU time per request, next to the raw rate of
/// the password hasher measured in the same run (a login verifies one hash, so that rate is its ceiling).
/// </summary>
internal static class AuthBenchmark
{
    private const string Password = "benchmark-passphrase-of-some-length";

    public static async Task RunAsync(TimeSpan phase, int concurrency)
    {
        var hasher = new PasswordHasher<object>();
        var stored = hasher.HashPassword(new object(), Password);
        var hashOneCore = HashRate(hasher, stored, phase, 1);
        var hashAllCores = HashRate(hasher, stored, phase, Environment.ProcessorCount);

        await using var stack = await BenchmarkStack.StartAsync();
        var client = stack.Client;
        var email = $"benchmark-{Guid.NewGuid():N}@example.com";
        using (var register = await client.PostAsJsonAsync("/api/auth/register", new { email, password = Password, name = "Benchmark" }))
        {
            register.EnsureSuccessStatusCode();
        }

        var loginBody = JsonSerializer.Serialize(new { email, password = Password });
        string accessToken;
        using (var response = await client.PostAsync("/api/auth/login", new StringContent(loginBody, Encoding.UTF8, "application/json")))
        {
            accessToken = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
        }

        async Task<HttpStatusCode> Login()
        {
            using var response = await client.PostAsync("/api/auth/login", new StringContent(loginBody, Encoding.UTF8, "application/json"));
            return response.StatusCode;
        }

        async Task<HttpStatusCode> Profile()
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/profile");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }

        // Warm up both paths (tiered JIT recompiles hot methods in the background for a while), then take the API's
        // idle CPU, which every per-request figure below includes.
        await stack.LoadAsync(Login, TimeSpan.FromSeconds(10), concurrency);
        await stack.LoadAsync(Profile, TimeSpan.FromSeconds(5), concurrency);
        var idleBefore = stack.ApiCpu();
        await Task.Delay(TimeSpan.FromSeconds(5));
        var idle = (stack.ApiCpu() - idleBefore) / 5;
        var logins = await stack.LoadAsync(Login, phase, concurrency);
        var profiles = await stack.LoadAsync(Profile, phase, concurrency);

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores; {phase.TotalSeconds} s per phase; {concurrency} concurrent clients");
        Console.WriteLine($"password hasher (PBKDF2-HMAC-SHA512, 100,000 iterations): {hashOneCore:F1}/s on one core, {hashAllCores:F1}/s on all cores");
        Console.WriteLine($"API idle: {idle.TotalMilliseconds:F0} ms CPU per second");
        Console.WriteLine(logins.Describe("POST /api/auth/login"));
        Console.WriteLine(profiles.Describe("GET /api/auth/profile"));
        Console.WriteLine($"logins per second / hash verifications per second (all cores): {logins.PerSecond / hashAllCores:P0}");
    }

    private static double HashRate(PasswordHasher<object> hasher, string stored, TimeSpan phase, int threads)
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
}
