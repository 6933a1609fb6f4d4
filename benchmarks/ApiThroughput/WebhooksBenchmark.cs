using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;
using Npgsql;

namespace Azora.Benchmarks;

/// <summary>
/// Webhook deliveries per second from one payments worker to a local receiver, and the delay from an outbox event
/// being written to its first delivery attempt arriving (p50/p99), for 2,000 <c>course.enrolled</c> events.
/// </summary>
internal static class WebhooksBenchmark
{
    private const int Events = 2_000;

    public static async Task RunAsync()
    {
        await using var stack = await BenchmarkStack.StartAsync();
        var connectionString = await stack.ConnectionStringAsync("azora");
        var port = FreePort();
        var arrivals = new ConcurrentDictionary<string, DateTimeOffset>();
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        listener.Start();
        _ = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                var context = await listener.GetContextAsync();
                arrivals.TryAdd(context.Request.Headers["Azora-Event-Id"] ?? "", DateTimeOffset.UtcNow);
                context.Response.StatusCode = 204;
                context.Response.Close();
            }
        });

        var admin = await AdminTokenAsync(stack, connectionString);
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks") { Content = JsonContent.Create(new { url = $"http://127.0.0.1:{port}/hook", events = new[] { "course.enrolled" } }) })
        {
            request.Headers.Authorization = new("Bearer", admin);
            using var response = await stack.Client.SendAsync(request);
            response.EnsureSuccessStatusCode();
        }

        // Events as the API writes them, all at once; the worker fans them out and delivers.
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand(
                $"""
                INSERT INTO outbox_events (id, type, payload, occurred_at)
                SELECT gen_random_uuid(), 'course.enrolled', jsonb_build_object('enrollmentId', gen_random_uuid(), 'n', n), clock_timestamp()
                FROM generate_series(1, {Events}) AS n
                """, connection);
            await insert.ExecuteNonQueryAsync();
        }

        var deadline = DateTime.UtcNow.AddMinutes(5);
        while (arrivals.Count < Events && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var written = new Dictionary<string, DateTimeOffset>();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var read = new NpgsqlCommand("SELECT id::text, occurred_at FROM outbox_events WHERE type = 'course.enrolled' AND payload ? 'n'", connection);
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                written[reader.GetString(0)] = reader.GetFieldValue<DateTimeOffset>(1);
            }
        }

        var delays = arrivals.Where(arrival => written.ContainsKey(arrival.Key))
            .Select(arrival => (arrival.Value - written[arrival.Key]).TotalMilliseconds).Order().ToList();
        var span = arrivals.Values.Max() - arrivals.Values.Min();
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores; {Events} events, one worker, default settings (woken by NOTIFY; polls every 5 s as a safety net)");
        Console.WriteLine($"delivered {arrivals.Count} of {Events} in {span.TotalSeconds:F1} s from first to last = {arrivals.Count / span.TotalSeconds:F0} deliveries/s");
        Console.WriteLine($"burst of {Events}: outbox event written -> first attempt received: p50 {delays[delays.Count / 2]:F0} ms, p99 {delays[(int)(delays.Count * 0.99)]:F0} ms, max {delays[^1]:F0} ms");

        // Then a trickle, as in normal traffic: one event every 50 ms.
        arrivals.Clear();
        var trickle = new Dictionary<string, DateTimeOffset>();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            for (var n = 0; n < 100; n++)
            {
                var id = Guid.NewGuid();
                await using var insert = new NpgsqlCommand(
                    "INSERT INTO outbox_events (id, type, payload, occurred_at) VALUES (@id, 'course.enrolled', '{}'::jsonb, clock_timestamp()) RETURNING occurred_at", connection);
                insert.Parameters.AddWithValue("id", id);
                trickle[id.ToString()] = new DateTimeOffset(DateTime.SpecifyKind((DateTime)(await insert.ExecuteScalarAsync())!, DateTimeKind.Utc));
                await Task.Delay(50);
            }
        }

        deadline = DateTime.UtcNow.AddMinutes(1);
        while (arrivals.Count < trickle.Count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var trickleDelays = arrivals.Where(arrival => trickle.ContainsKey(arrival.Key))
            .Select(arrival => (arrival.Value - trickle[arrival.Key]).TotalMilliseconds).Order().ToList();
        Console.WriteLine($"one event every 50 ms ({trickleDelays.Count} events): outbox -> first attempt p50 {trickleDelays[trickleDelays.Count / 2]:F0} ms, p99 {trickleDelays[(int)(trickleDelays.Count * 0.99)]:F0} ms");
        listener.Stop();
    }

    private static async Task<string> AdminTokenAsync(BenchmarkStack stack, string connectionString)
    {
        var email = $"bench-admin-{Guid.NewGuid():N}@example.com";
        const string password = "benchmark-passphrase-of-some-length";
        using (var registered = await stack.Client.PostAsJsonAsync("/api/auth/register", new { email, password, name = "Admin" }))
        {
            registered.EnsureSuccessStatusCode();
        }

        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var grant = new NpgsqlCommand("UPDATE users SET roles = ARRAY['admin'] WHERE email = @email", connection);
            grant.Parameters.AddWithValue("email", email);
            await grant.ExecuteNonQueryAsync();
        }

        using var login = await stack.Client.PostAsJsonAsync("/api/auth/login", new { email, password });
        return (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}
