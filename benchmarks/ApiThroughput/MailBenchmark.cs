using System.Text.Json;
using Npgsql;

namespace Azora.Benchmarks;

/// <summary>
/// Mails per second from one payments worker's SMTP sender to the stack's local catcher (smtp4dev), and the delay from
/// the causing commit (a <c>mail_messages</c> row's <c>created_at</c>) to the catcher receiving the message (p50/p99):
/// for a burst of 2,000 messages written at once, then for one message every 50 ms.
/// </summary>
internal static class MailBenchmark
{
    private const int Burst = 2_000;
    private const int Trickle = 100;

    public static async Task RunAsync()
    {
        await using var stack = await BenchmarkStack.StartAsync();
        var connectionString = await stack.ConnectionStringAsync("azora");
        using var catcher = new HttpClient { BaseAddress = stack.Endpoint("mail") };

        // Rows as MailOutbox writes them (both bodies, due at once), all in one transaction.
        var run = Guid.NewGuid().ToString("N")[..8];
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand(
                $"""
                INSERT INTO mail_messages (id, kind, user_id, recipient, subject, text_body, html_body, next_attempt_at, created_at)
                SELECT gen_random_uuid(), 'verify_email', NULL, 'bench-' || n || '@example.test', 'burst {run} ' || n,
                       repeat('Confirm your address: http://localhost:5090/verify-email?token=abc ', 8),
                       '<p>' || repeat('Confirm your address: <a href="http://localhost:5090/verify-email?token=abc">link</a> ', 8) || '</p>',
                       clock_timestamp(), clock_timestamp()
                FROM generate_series(1, {Burst}) AS n
                """, connection);
            await insert.ExecuteNonQueryAsync();
        }

        await WaitUntilSentAsync(connectionString, $"burst {run} %", Burst, TimeSpan.FromMinutes(10));
        var burst = await DelaysAsync(connectionString, catcher, $"burst {run} ");
        var first = burst.Min(message => message.CreatedAt);
        var last = burst.Max(message => message.ReceivedAt);
        var firstReceived = burst.Min(message => message.ReceivedAt);
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores; one worker, default sender settings (poll every 1 s, 4 connections, batches of 50)");
        Console.WriteLine(
            $"burst: {burst.Count} of {Burst} received in {(last - first).TotalSeconds:F1} s from the commit = {burst.Count / (last - first).TotalSeconds:F0} mails/s " +
            $"({burst.Count / (last - firstReceived).TotalSeconds:F0} mails/s from first to last received)");
        Print("burst: commit -> received", burst);

        // Then a trickle, as in normal traffic: one message every 50 ms, each committed on its own.
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            for (var n = 1; n <= Trickle; n++)
            {
                await using var insert = new NpgsqlCommand(
                    """
                    INSERT INTO mail_messages (id, kind, user_id, recipient, subject, text_body, html_body, next_attempt_at, created_at)
                    VALUES (gen_random_uuid(), 'verify_email', NULL, 'trickle@example.test', @subject, 'Confirm your address.', '<p>Confirm your address.</p>',
                            clock_timestamp(), clock_timestamp())
                    """, connection);
                insert.Parameters.AddWithValue("subject", $"trickle {run} {n}");
                await insert.ExecuteNonQueryAsync();
                await Task.Delay(50);
            }
        }

        await WaitUntilSentAsync(connectionString, $"trickle {run} %", Trickle, TimeSpan.FromMinutes(2));
        Print("one message every 50 ms: commit -> received", await DelaysAsync(connectionString, catcher, $"trickle {run} "));
    }

    private static void Print(string what, IReadOnlyList<Delivery> deliveries)
    {
        var delays = deliveries.Select(delivery => (delivery.ReceivedAt - delivery.CreatedAt).TotalMilliseconds).Order().ToList();
        Console.WriteLine($"{what} ({delays.Count} mails): p50 {delays[delays.Count / 2]:F0} ms, p99 {delays[(int)(delays.Count * 0.99)]:F0} ms, max {delays[^1]:F0} ms");
    }

    private static async Task WaitUntilSentAsync(string connectionString, string subjects, int count, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        while (DateTime.UtcNow < deadline)
        {
            await using var sent = new NpgsqlCommand("SELECT count(*) FROM mail_messages WHERE subject LIKE @subjects AND status = 'sent'", connection);
            sent.Parameters.AddWithValue("subjects", subjects);
            if ((long)(await sent.ExecuteScalarAsync())! >= count)
            {
                return;
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"Not all {count} messages were sent within {limit}.");
    }

    /// <summary>Each message's commit time (from the database) and arrival time (from smtp4dev's API), matched by subject.</summary>
    private static async Task<IReadOnlyList<Delivery>> DelaysAsync(string connectionString, HttpClient catcher, string subjectPrefix)
    {
        var created = new Dictionary<string, DateTimeOffset>();
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var read = new NpgsqlCommand("SELECT subject, created_at FROM mail_messages WHERE subject LIKE @prefix", connection);
            read.Parameters.AddWithValue("prefix", subjectPrefix + "%");
            await using var reader = await read.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                created[reader.GetString(0)] = reader.GetFieldValue<DateTimeOffset>(1);
            }
        }

        using var page = JsonDocument.Parse(await catcher.GetStringAsync("/api/messages?pageSize=10000"));
        return
        [
            .. page.RootElement.GetProperty("results").EnumerateArray()
                .Select(message => (Subject: message.GetProperty("subject").GetString() ?? "", ReceivedAt: message.GetProperty("receivedDate").GetDateTimeOffset()))
                .Where(message => created.ContainsKey(message.Subject))
                .Select(message => new Delivery(created[message.Subject], message.ReceivedAt)),
        ];
    }

    private sealed record Delivery(DateTimeOffset CreatedAt, DateTimeOffset ReceivedAt);
}
