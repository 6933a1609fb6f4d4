using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Azora.Benchmarks;

/// <summary>
/// Webhook deliveries per second from one payments worker to a local receiver, and the delay from an outbox event
/// being written to its first delivery attempt arriving (p50/p99), for bursts of 2,000 <c>course.enrolled</c> events on
/// a worker just started and once it is warm, and for one event every 50 ms.
/// </summary>
internal static class WebhooksBenchmark
{
    public const int Events = 2_000;
    public const int TrickleEvents = 400;

    public static async Task RunAsync()
    {
        // PostgreSQL and the worker without Aspire's proxy in between, as in production.
        await using var stack = await BenchmarkStack.StartAsync(directInfrastructure: true);
        var connectionString = await stack.ConnectionStringAsync("azora");
        using var receiver = await Receiver.SubscribeAsync(stack, connectionString);

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores; {Events} events, one worker, default settings");
        var idle = await BenchmarkStack.MachineIdleAsync();
        Console.WriteLine(idle is { } waited ? $"machine idle after {waited.TotalSeconds:F0} s" : "the machine was never idle for a second within a minute");
        using var worker = new HttpClient { BaseAddress = stack.Endpoint("payments") };
        var (cold, rounds) = await WarmUpAsync(receiver, connectionString, worker);
        Console.WriteLine($"the worker just started, first burst: {Describe(cold)}; warmed up with {rounds} bursts");
        for (var run = 1; run <= 3; run++)
        {
            var (workerBefore, postgresBefore) = (stack.ResourceCpu("payments"), stack.ResourceCpu("postgres"));
            var burst = await BurstAsync(receiver, connectionString);
            var (workerPer, postgresPer) = ((stack.ResourceCpu("payments") - workerBefore) / Events, (stack.ResourceCpu("postgres") - postgresBefore) / Events);
            Console.WriteLine($"burst {run}: {Describe(burst)}; CPU per delivery: worker {workerPer.TotalMilliseconds:F2} ms, PostgreSQL {postgresPer.TotalMilliseconds:F2} ms");
        }

        var trickle = await TrickleAsync(receiver, connectionString);
        Console.WriteLine($"one event every 50 ms ({trickle.Count} events): outbox -> first attempt p50 {trickle.P50:F0} ms, p99 {trickle.P99:F0} ms");
    }

    private static string Describe(Burst burst) =>
        $"delivered {burst.Delivered} of {Events} in {burst.Span.TotalSeconds:F1} s from first to last = {burst.Delivered / burst.Span.TotalSeconds:F0} deliveries/s; " +
        $"outbox event written -> first attempt received: p50 {burst.Delays.P50:F0} ms, p99 {burst.Delays.P99:F0} ms, max {burst.Delays.Max:F0} ms; " +
        $"-> fanned out: p50 {burst.FannedOut.P50:F0} ms, max {burst.FannedOut.Max:F0} ms";

    private const int MaximumWarmUpBursts = 5;

    /// <summary>
    /// Untimed bursts until one leaves the worker's JIT quiet (as <see cref="PaymentsBenchmark"/> warms up for Stripe
    /// events: a worker that has just started spends much of a core recompiling its hot paths), at most
    /// <see cref="MaximumWarmUpBursts"/>; returns the first, the cold start's figure, and how many it took.
    /// </summary>
    public static async Task<(Burst First, int Rounds)> WarmUpAsync(Receiver receiver, string connectionString, HttpClient worker)
    {
        Burst? first = null;
        var compiled = await BenchmarkStack.CompiledMethodsAsync(worker);
        for (var round = 1; ; round++)
        {
            var burst = await BurstAsync(receiver, connectionString);
            first ??= burst;
            var (before, after) = (compiled, compiled = await BenchmarkStack.CompiledMethodsAsync(worker));
            if (after - before < BenchmarkStack.QuietJit || round == MaximumWarmUpBursts)
            {
                return (first, round);
            }
        }
    }

    /// <summary>Delays in milliseconds, sorted, with the usual percentiles.</summary>
    public sealed record Delays(List<double> Sorted)
    {
        public int Count => Sorted.Count;
        public double P50 => Sorted[Sorted.Count / 2];
        public double P99 => Sorted[(int)(Sorted.Count * 0.99)];
        public double Max => Sorted[^1];
    }

    /// <param name="Span">From the first arrival to the last.</param>
    /// <param name="FannedOut">From the outbox event to its delivery's row, inserted by the relay's fan-out.</param>
    public sealed record Burst(int Delivered, TimeSpan Span, Delays Delays, Delays FannedOut);

    /// <summary>
    /// <see cref="Events"/> events as the API writes them, all in one statement; the worker fans them out and delivers.
    /// Fails when not all arrive within five minutes.
    /// </summary>
    public static async Task<Burst> BurstAsync(Receiver receiver, string connectionString)
    {
        receiver.Arrivals.Clear();
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
        while (receiver.Arrivals.Count < Events && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var written = new Dictionary<string, (DateTimeOffset At, double FannedOutMs)>();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            // With when the relay's fan-out inserted the event's delivery (its transaction's start).
            await using var read = new NpgsqlCommand(
                """
                SELECT e.id::text, e.occurred_at, extract(epoch FROM d.created_at - e.occurred_at)::float8 * 1000
                FROM outbox_events e JOIN webhook_deliveries d ON d.event_id = e.id
                WHERE e.type = 'course.enrolled' AND e.payload ? 'n'
                """, connection);
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                written[reader.GetString(0)] = (reader.GetFieldValue<DateTimeOffset>(1), reader.GetDouble(2));
            }
        }

        var arrivals = receiver.Arrivals.ToArray();
        var events = arrivals.Where(arrival => written.ContainsKey(arrival.Key)).Select(arrival => (Arrived: arrival.Value, Written: written[arrival.Key])).ToList();
        if (events.Count < Events)
        {
            throw new InvalidOperationException($"Only {events.Count} of {Events} webhook events arrived within five minutes.");
        }

        var span = arrivals.Max(arrival => arrival.Value) - arrivals.Min(arrival => arrival.Value);
        return new Burst(
            events.Count,
            span,
            new Delays(events.Select(@event => (@event.Arrived - @event.Written.At).TotalMilliseconds).Order().ToList()),
            new Delays(events.Select(@event => @event.Written.FannedOutMs).Order().ToList()));
    }

    /// <summary>Then a trickle, as in normal traffic: one event every 50 ms. Fails when not all arrive within a minute.</summary>
    public static async Task<Delays> TrickleAsync(Receiver receiver, string connectionString)
    {
        receiver.Arrivals.Clear();
        var trickle = new Dictionary<string, DateTimeOffset>();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            for (var n = 0; n < TrickleEvents; n++)
            {
                var id = Guid.NewGuid();
                await using var insert = new NpgsqlCommand(
                    "INSERT INTO outbox_events (id, type, payload, occurred_at) VALUES (@id, 'course.enrolled', '{}'::jsonb, clock_timestamp()) RETURNING occurred_at", connection);
                insert.Parameters.AddWithValue("id", id);
                trickle[id.ToString()] = new DateTimeOffset(DateTime.SpecifyKind((DateTime)(await insert.ExecuteScalarAsync())!, DateTimeKind.Utc));
                await Task.Delay(50);
            }
        }

        var deadline = DateTime.UtcNow.AddMinutes(1);
        while (receiver.Arrivals.Count < trickle.Count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var delays = receiver.Arrivals.ToArray().Where(arrival => trickle.ContainsKey(arrival.Key))
            .Select(arrival => (arrival.Value - trickle[arrival.Key]).TotalMilliseconds).Order().ToList();
        return delays.Count == trickle.Count
            ? new Delays(delays)
            : throw new InvalidOperationException($"Only {delays.Count} of {trickle.Count} trickled webhook events arrived within a minute.");
    }

    /// <summary>
    /// A local receiver that answers 204 and notes when each event id first arrived, subscribed to
    /// <c>course.enrolled</c> by a new admin of the stack. Disposing removes the subscription, then stops listening.
    /// </summary>
    public sealed class Receiver : IDisposable
    {
        private readonly HttpListener _listener;
        private readonly HttpClient _api;
        private readonly string _adminToken;
        private readonly Guid _subscription;

        private Receiver(HttpListener listener, HttpClient api, string adminToken, Guid subscription)
        {
            _listener = listener;
            _api = api;
            _adminToken = adminToken;
            _subscription = subscription;
        }

        public ConcurrentDictionary<string, DateTimeOffset> Arrivals { get; } = new();

        public static async Task<Receiver> SubscribeAsync(BenchmarkStack stack, string connectionString)
        {
            var port = BenchmarkStack.FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            listener.Start();
            var admin = await AdminTokenAsync(stack, connectionString);
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/webhooks") { Content = JsonContent.Create(new { url = $"http://127.0.0.1:{port}/hook", events = new[] { "course.enrolled" } }) };
            request.Headers.Authorization = new("Bearer", admin);
            using var response = await stack.Client.SendAsync(request);
            response.EnsureSuccessStatusCode();
            var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
            var receiver = new Receiver(listener, stack.Client, admin, id);
            _ = Task.Run(receiver.ListenAsync);
            return receiver;
        }

        /// <summary>Removes the subscription (so later outbox events, e.g. from payments, are not delivered here) and stops listening.</summary>
        public void Dispose()
        {
            using (var request = new HttpRequestMessage(HttpMethod.Delete, $"/api/webhooks/{_subscription}"))
            {
                request.Headers.Authorization = new("Bearer", _adminToken);
                using var response = _api.Send(request);
            }

            _listener.Stop();
            _listener.Close();
        }

        private async Task ListenAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }

                Arrivals.TryAdd(context.Request.Headers["Azora-Event-Id"] ?? "", DateTimeOffset.UtcNow);
                context.Response.StatusCode = 204;
                context.Response.Close();
            }
        }
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
}
