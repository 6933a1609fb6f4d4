using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Azora.Benchmarks;

/// <summary>
/// Stripe webhook events per second through one payments worker (signature check and the database transaction that
/// records the event and applies it), and the seconds from creating a payment intent to an active enrollment through
/// the Stripe emulator.
/// </summary>
internal static class PaymentsBenchmark
{
    public const int Events = 5_000;
    private const int Purchases = 20;

    public static async Task RunAsync(int concurrency)
    {
        // Without Aspire's proxies, and the worker's receipts go to an SMTP sink in this process (see SmtpSink).
        await using var stack = await BenchmarkStack.StartAsync(directInfrastructure: true);
        using var worker = new HttpClient { BaseAddress = stack.Endpoint("payments") };
        var (workerCpu, databaseCpu, ownCpu) = (TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);
        var applied = await ApplyEventsAsync(await stack.ConnectionStringAsync("azora"), worker, concurrency,
            () => (workerCpu, databaseCpu, ownCpu) = (stack.ResourceCpu("payments"), stack.ResourceCpu("postgres"), Process.GetCurrentProcess().TotalProcessorTime));
        (workerCpu, databaseCpu, ownCpu) = (stack.ResourceCpu("payments") - workerCpu, stack.ResourceCpu("postgres") - databaseCpu,
            Process.GetCurrentProcess().TotalProcessorTime - ownCpu);

        var seconds = await PurchasesAsync(stack);
        seconds.Sort();

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores; {concurrency} concurrent senders");
        Console.WriteLine($"webhooks: {Events} payment_intent.succeeded events in {applied.Elapsed.TotalSeconds:F1} s = {applied.PerSecond:F0} events/s ({applied.Refused} refused; {applied.Succeeded} payments succeeded, each with an enrollment and two outbox events)");
        // On a shared machine the rate follows the load; the CPU each event costs the worker and PostgreSQL does not.
        Console.WriteLine($"CPU per event: worker {workerCpu.TotalMilliseconds / Events:F2} ms, PostgreSQL {databaseCpu.TotalMilliseconds / Events:F2} ms = {Environment.ProcessorCount * 1000.0 * Events / (workerCpu + databaseCpu).TotalMilliseconds:F0} events/s if they had every core to themselves");
        Console.WriteLine($"  and beside them this benchmark, sending the events and taking the worker's receipts over SMTP, {ownCpu.TotalMilliseconds / Events:F2} ms ({stack.MailSink!.Received:N0} receipts so far)");
        Console.WriteLine($"purchase end to end (intent created -> card succeeds at the emulator -> webhook -> enrollment seen by the API), {Purchases} runs: median {seconds[Purchases / 2]:F3} s, max {seconds[^1]:F3} s");
    }

    /// <param name="Refused">Events the worker did not answer 200.</param>
    /// <param name="Succeeded">Seeded payments that ended succeeded: each event applied once.</param>
    public sealed record Applied(TimeSpan Elapsed, int Refused, long Succeeded)
    {
        public double PerSecond => Events / Elapsed.TotalSeconds;
    }

    /// <summary>
    /// Seeds pending payments, then sends each its signed <c>payment_intent.succeeded</c> to the worker at
    /// <paramref name="worker"/>'s address from <paramref name="concurrency"/> senders, as Stripe would: first rounds of
    /// <see cref="WarmUpRound"/> untimed events until the worker's JIT has finished optimizing what they run (a worker
    /// that has just started spends most of a core recompiling its hot paths for a minute or more), then
    /// <see cref="Events"/> timed until every one of them is applied.
    /// </summary>
    /// <param name="timing">Called as the timed events start.</param>
    public static async Task<Applied> ApplyEventsAsync(string connectionString, HttpClient worker, int concurrency, Action? timing = null)
    {
        var seeded = 0;
        var compiled = await BenchmarkStack.CompiledMethodsAsync(worker);
        for (var round = 1; round <= MaximumWarmUpRounds; round++)
        {
            var warmUp = await SendAsync(connectionString, worker, concurrency, await SeedPaymentsAsync(connectionString, seeded, WarmUpRound));
            seeded += WarmUpRound;
            if (warmUp.Refused > 0 || warmUp.Succeeded != seeded)
            {
                return warmUp with { Succeeded = 0 };
            }

            var (before, after) = (compiled, compiled = await BenchmarkStack.CompiledMethodsAsync(worker));
            if (after - before < BenchmarkStack.QuietJit)
            {
                Console.WriteLine($"warmed up with {seeded:N0} events ({after - before} methods compiled in the last round of {WarmUpRound:N0}); timing {Events:N0}");
                break;
            }
        }

        var intents = await SeedPaymentsAsync(connectionString, seeded, Events);
        // The database grew from nothing to tens of thousands of payments and events in the last minute, faster than
        // autovacuum looks (once a minute): the worker's statements kept the plans PostgreSQL cached for tables of a
        // few hundred rows, a sequential scan and a hash join per batch (auto_explain). Analyzing, as autovacuum would
        // a minute later, has them planned for the tables' real size; the seed is not counted in the timed events' CPU.
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await BenchmarkStack.AnalyzeAsync(connection);
        }

        timing?.Invoke();
        var timed = await SendAsync(connectionString, worker, concurrency, intents);
        return timed with { Succeeded = timed.Succeeded - seeded };
    }

    private const int WarmUpRound = 2_000;
    private const int MaximumWarmUpRounds = 25;

    private static async Task<Applied> SendAsync(string connectionString, HttpClient worker, int concurrency, List<string> intents)
    {
        var alreadySucceeded = await ScalarAsync(connectionString, SucceededSql);
        var next = -1;
        var failures = 0;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < intents.Count; i = Interlocked.Increment(ref next))
            {
                var payload = Event(intents[i]);
                using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe") { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
                request.Headers.Add("Stripe-Signature", Sign(payload));
                using var response = await worker.SendAsync(request);
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }));
        // Applied means written to the database: should the worker answer before it applies (a batch), the clock runs
        // until every payment shows it, for at most a minute.
        var succeeded = await ScalarAsync(connectionString, SucceededSql);
        while (succeeded < alreadySucceeded + intents.Count && failures == 0 && stopwatch.Elapsed < TimeSpan.FromMinutes(1))
        {
            await Task.Delay(10);
            succeeded = await ScalarAsync(connectionString, SucceededSql);
        }

        return new Applied(stopwatch.Elapsed, failures, succeeded);
    }

    private const string SucceededSql = "SELECT count(*) FROM payments WHERE payment_intent_id LIKE 'pi_bench_%' AND status = 'succeeded'";

    /// <summary>Pending payments (and their buyers) numbered after the <paramref name="seeded"/> already there.</summary>
    private static async Task<List<string>> SeedPaymentsAsync(string connectionString, int seeded, int count)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var seed = new NpgsqlCommand(
            $"""
            WITH buyers AS (
                INSERT INTO users (id, email, name, password_hash, roles, created_at, updated_at, password_changed_at)
                SELECT gen_random_uuid(), 'bench-buyer-' || n || '@example.com', 'Buyer ' || n, 'x', ARRAY['learner'], now(), now(), now()
                FROM generate_series({seeded + 1}, {seeded + count}) AS n
                RETURNING id, email)
            INSERT INTO payments (id, user_id, course_id, payment_intent_id, client_secret, amount, currency, status, created_at, updated_at)
            SELECT gen_random_uuid(), b.id, (SELECT id FROM courses WHERE price_minor > 0 AND published ORDER BY slug LIMIT 1),
                   'pi_bench_' || substring(b.email from 'bench-buyer-([0-9]+)@'), 'secret', 4900, 'USD', 'pending', now(), now()
            FROM buyers b
            """, connection);
        await seed.ExecuteNonQueryAsync();
        return Enumerable.Range(seeded + 1, count).Select(n => $"pi_bench_{n}").ToList();
    }

    private static async Task<List<double>> PurchasesAsync(BenchmarkStack stack)
    {
        var client = stack.Client;
        using var emulator = new HttpClient { BaseAddress = stack.Endpoint("stripe") };
        var courses = await client.GetFromJsonAsync<JsonElement>("/api/education/courses?free=false&limit=" + Purchases);
        var seconds = new List<double>();
        foreach (var course in courses.GetProperty("data").EnumerateArray())
        {
            var email = $"buyer-{Guid.NewGuid():N}@example.com";
            const string password = "benchmark-passphrase-of-some-length";
            using (var registered = await client.PostAsJsonAsync("/api/auth/register", new { email, password, name = "Buyer" }))
            {
                registered.EnsureSuccessStatusCode();
            }

            // Paying needs a verified email; the verification flow itself is not what is measured here.
            await using (var connection = new NpgsqlConnection(await stack.ConnectionStringAsync("azora")))
            {
                await connection.OpenAsync();
                await using var verify = new NpgsqlCommand("UPDATE users SET email_verified_at = now() WHERE email = @email", connection);
                verify.Parameters.AddWithValue("email", email);
                await verify.ExecuteNonQueryAsync();
            }

            using var login = await client.PostAsJsonAsync("/api/auth/login", new { email, password });
            var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

            var stopwatch = Stopwatch.StartNew();
            using var created = await client.PostAsJsonAsync("/api/pay/payment-intent", new { courseId = course.GetProperty("id").GetGuid() });
            var intent = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("paymentIntentId").GetString();
            using (await emulator.PostAsync($"/emulator/payment_intents/{intent}/succeed", null))
            {
            }

            while ((await client.GetFromJsonAsync<JsonElement>("/api/education/enrollments")).GetProperty("data").GetArrayLength() == 0)
            {
                await Task.Delay(5);
            }

            seconds.Add(stopwatch.Elapsed.TotalSeconds);
        }

        client.DefaultRequestHeaders.Authorization = null;
        return seconds.Count == Purchases ? seconds : throw new InvalidOperationException($"Only {seconds.Count} paid courses in the catalog.");
    }

    private static string Event(string intentId) => JsonSerializer.Serialize(new
    {
        id = $"evt_bench_{intentId}",
        @object = "event",
        api_version = Stripe.StripeConfiguration.ApiVersion,
        created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        type = "payment_intent.succeeded",
        livemode = false,
        data = new { @object = new { id = intentId, @object = "payment_intent", amount = 4900, currency = "usd", status = "succeeded" } },
    });

    private static string Sign(string payload)
    {
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(BenchmarkStack.StripeWebhookSecret), Encoding.UTF8.GetBytes($"{timestamp}.{payload}"));
        return $"t={timestamp},v1={Convert.ToHexString(signature).ToLowerInvariant()}";
    }

    private static async Task<long> ScalarAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
