using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Azora.Benchmarks;

/// <summary>
/// One instructor's <c>GET /api/webhooks</c> per second with a partner API key and with an access token, in the same run:
/// the key's lookup (SHA-256, the replica's cache kept honest by PostgreSQL notifications) against the token's RS256
/// signature check (once per replica, then remembered) and in-memory revocation check. Phases alternate so drift on a shared machine hits both alike.
/// </summary>
internal static class ApiKeyBenchmark
{
    private const string Password = "benchmark-passphrase-of-some-length";
    private const int Rounds = 2;

    public static async Task RunAsync(TimeSpan phase, int concurrency)
    {
        await using var stack = await BenchmarkStack.StartAsync();
        var client = stack.Client;
        var email = $"benchmark-{Guid.NewGuid():N}@example.com";
        using (var register = await client.PostAsJsonAsync("/api/auth/register", new { email, password = Password, name = "Benchmark" }))
        {
            register.EnsureSuccessStatusCode();
        }

        await using (var connection = new NpgsqlConnection(await stack.ConnectionStringAsync("azora")))
        {
            await connection.OpenAsync();
            await using var grant = new NpgsqlCommand("UPDATE users SET roles = ARRAY['learner', 'instructor'] WHERE lower(email) = lower(@email)", connection);
            grant.Parameters.AddWithValue("email", email);
            await grant.ExecuteNonQueryAsync();
        }

        string accessToken;
        using (var login = await client.PostAsJsonAsync("/api/auth/login", new { email, password = Password }))
        {
            accessToken = (await login.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
        }

        string apiKey;
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/api-keys") { Content = JsonContent.Create(new { name = "benchmark", scopes = new[] { "webhooks:manage" } }) })
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
            using var created = await client.SendAsync(request);
            apiKey = (await created.EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
        }

        Func<Task<HttpStatusCode>> List(string bearer) => async () =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/webhooks");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        };

        var withToken = List(accessToken);
        var withKey = List(apiKey);
        await stack.LoadAsync(withToken, TimeSpan.FromSeconds(5), concurrency);
        await stack.LoadAsync(withKey, TimeSpan.FromSeconds(5), concurrency);
        var tokenRuns = new List<LoadResult>();
        var keyRuns = new List<LoadResult>();
        for (var round = 0; round < Rounds; round++)
        {
            tokenRuns.Add(await stack.LoadAsync(withToken, phase, concurrency));
            keyRuns.Add(await stack.LoadAsync(withKey, phase, concurrency));
        }

        var token = Sum(tokenRuns);
        var key = Sum(keyRuns);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores; {Rounds} × {phase.TotalSeconds} s per path, alternating; {concurrency} concurrent clients");
        Console.WriteLine(token.Describe("GET /api/webhooks with an access token (JWT RS256, remembered, + revocation check)"));
        Console.WriteLine(key.Describe("GET /api/webhooks with an API key (SHA-256 + cached lookup)"));
        Console.WriteLine($"API key / access token, requests per second: {key.PerSecond / token.PerSecond:P0}");
    }

    private static LoadResult Sum(List<LoadResult> runs) => new(
        runs.Sum(run => run.Ok), runs.Sum(run => run.Failed),
        TimeSpan.FromTicks(runs.Sum(run => run.Elapsed.Ticks)), TimeSpan.FromTicks(runs.Sum(run => run.ServerCpu.Ticks)));
}
