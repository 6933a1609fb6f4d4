using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Azora.Soak;

/// <summary>One invariant of the audit: whether it held, and what was counted.</summary>
internal sealed record Invariant(string Name, bool Holds, string Detail);

internal sealed record SoakReport(IReadOnlyList<Invariant> Invariants, string Markdown)
{
    public bool Ok => Invariants.All(invariant => invariant.Holds);
}

/// <summary>
/// The audit at the end of a run, from the database, the receivers and what clients saw. The invariants:
/// <list type="number">
/// <item>every succeeded payment has exactly one live enrollment and exactly one <c>payment.success</c> outbox event;</item>
/// <item>no live enrollment made during the run in a paid course without a succeeded payment;</item>
/// <item>every purchase ended as its card said (succeeded, or failed for a declined card), duplicate and stale
/// out-of-order Stripe deliveries included;</item>
/// <item>every Stripe event reached the worker: the emulator, like Stripe, retries a delivery until it gets a 2xx, so
/// none is still pending or given up once the system drained;</item>
/// <item>every outbox event fanned out, every delivery to every receiver made, and each receiver got exactly the
/// events of its deliveries: none missing, and no event received more often than the worker claimed attempts for it
/// (delivery is at least once: an answer the worker did not see in time, could not record or died before recording is
/// sent again in a new attempt; the report counts those copies and their last errors);</item>
/// <item>rate-limit counters consistent across replicas after the cache restarts: no client refused with 429 while
/// far below every limit; an account's login attempts, spread over both replicas, refused exactly after the limit;
/// both replicas counting in the cache again (X-RateLimit headers);</item>
/// <item>caches consistent: every course as served (cached) by each replica matches the database, and the list's total;</item>
/// <item>no 5xx and no unanswered request outside the faults' windows (a fault's window runs from its start to its recovery);</item>
/// <item>every answer shaped as documented: no client scenario ended on an exception;</item>
/// <item>every fault recovered: a probe round with every request kind succeeding on both replicas after the dependency came back.</item>
/// </list>
/// </summary>
internal static class SoakAudit
{
    public static async Task<SoakReport> RunAsync(SoakStack stack, SoakObservations run, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(stack.DatabaseConnectionString);
        await connection.OpenAsync(cancellationToken);
        var invariants = new List<Invariant>();
        var samples = run.Traffic.Samples.ToList();
        var rounds = run.Traffic.Rounds.OrderBy(round => round.Start).ToList();
        foreach (var fault in run.Faults.Where(fault => fault.Plan.AffectsApi && fault.Back is not null))
        {
            fault.Recovered = rounds.FirstOrDefault(round => round.Ok && round.Start >= fault.Back)?.End;
        }

        // 1. Succeeded payments: one enrollment, one payment.success event each.
        var succeeded = await RowsAsync(connection, """
            SELECT p.id::text,
                   (SELECT count(*) FROM enrollments e WHERE e.user_id = p.user_id AND e.course_id = p.course_id AND e.status <> 'revoked'),
                   (SELECT count(*) FROM outbox_events o WHERE o.type = 'payment.success' AND o.payload->>'paymentId' = p.id::text)
            FROM payments p WHERE p.status = 'succeeded'
            """, cancellationToken);
        var badPayments = succeeded.Where(row => (long)row[1] != 1 || (long)row[2] != 1).ToList();
        invariants.Add(new("every succeeded payment: exactly one enrollment and one payment.success event", badPayments.Count == 0,
            $"{succeeded.Count} succeeded; {badPayments.Count} not so{Examples(badPayments.Select(row => $"{row[0]}: {row[1]} enrollments, {row[2]} events"))}"));

        // 2. No enrollment in a paid course without a succeeded payment.
        var unpaid = await RowsAsync(connection, """
            SELECT e.id::text FROM enrollments e JOIN courses c ON c.id = e.course_id
            WHERE c.price_minor > 0 AND e.status <> 'revoked' AND e.created_at >= @since
              AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.user_id = e.user_id AND p.course_id = e.course_id AND p.status = 'succeeded')
            """, cancellationToken, ("since", run.StartedAt.UtcDateTime));
        var paidEnrollments = await ScalarAsync(connection, """
            SELECT count(*) FROM enrollments e JOIN courses c ON c.id = e.course_id WHERE c.price_minor > 0 AND e.created_at >= @since
            """, cancellationToken, ("since", run.StartedAt.UtcDateTime));
        invariants.Add(new("no enrollment in a paid course without a succeeded payment", unpaid.Count == 0,
            $"{paidEnrollments} paid-course enrollments made; {unpaid.Count} without payment{Examples(unpaid.Select(row => (string)row[0]))}"));

        // 3. Purchases ended as the card said.
        var purchases = run.Traffic.Purchases.ToList();
        var statuses = (await RowsAsync(connection, "SELECT id::text, status FROM payments WHERE id = ANY(@ids)", cancellationToken,
            ("ids", purchases.Select(purchase => purchase.PaymentId).ToArray()))).ToDictionary(row => Guid.Parse((string)row[0]), row => (string)row[1]);
        var wrong = purchases.Where(purchase => statuses.GetValueOrDefault(purchase.PaymentId) != (purchase.Outcome == "succeed" ? "succeeded" : "failed")).ToList();
        invariants.Add(new("every purchase ended as its card said (with duplicate and stale out-of-order Stripe events)", wrong.Count == 0,
            $"{purchases.Count(p => p.Outcome == "succeed")} succeeded cards ({purchases.Count(p => p.StaleFailureSent)} followed by a stale failure event), " +
            $"{purchases.Count(p => p.Outcome == "decline")} declined; " +
            $"{wrong.Count} wrong{Examples(wrong.Select(p => $"{p.PaymentId} {p.Outcome} -> {statuses.GetValueOrDefault(p.PaymentId) ?? "missing"}"))}"));

        // 3b. Stripe's webhooks: the emulator retries each delivery until the worker answers 2xx, as Stripe does.
        var stripe = await StripeEventsAsync(stack, cancellationToken);
        invariants.Add(new("every Stripe event reached the worker (the emulator retries each delivery until a 2xx, as Stripe does)",
            stripe.Pending == 0 && stripe.GivenUp == 0,
            $"{stripe.Events} events; {stripe.Delivered} deliveries taken by the worker, {stripe.Retried} of them only after retries (worker down or failing); " +
            $"{stripe.Pending} still being retried, {stripe.GivenUp} given up"));

        // 4. Webhooks: fanned out, delivered, none missing, none twice.
        var webhookRows = new List<string[]>();
        var undispatched = await ScalarAsync(connection, "SELECT count(*) FROM outbox_events WHERE dispatched_at IS NULL", cancellationToken);
        var webhookProblems = new List<string>();
        if (undispatched > 0)
        {
            webhookProblems.Add($"{undispatched} outbox events not fanned out");
        }

        foreach (var receiver in run.Receivers)
        {
            var deliveries = await RowsAsync(connection,
                "SELECT event_id::text, outcome, attempt_count::bigint, coalesce(last_error, '') FROM webhook_deliveries WHERE subscription_id = @id", cancellationToken,
                ("id", receiver.SubscriptionId));
            var attempts = deliveries.ToDictionary(row => (string)row[0], row => (long)row[2]);
            var notFannedOut = await ScalarAsync(connection, """
                SELECT count(*) FROM outbox_events o JOIN webhook_subscriptions s ON s.id = @id
                WHERE o.type = ANY(s.events) AND o.occurred_at >= s.created_at
                  AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.subscription_id = s.id AND d.event_id = o.id)
                """, cancellationToken, ("id", receiver.SubscriptionId));
            var delivered = receiver.Delivered();
            var missing = deliveries.Count(row => (string)row[1] != "delivered" || !delivered.ContainsKey((string)row[0]));
            var unexpected = delivered.Keys.Count(eventId => !deliveries.Any(row => (string)row[0] == eventId));
            var received = receiver.Received.ToList();
            // A copy per attempt the worker claimed is at least once, as documented: it did not see the earlier answer
            // (its timeout), could not record it (PostgreSQL away) or died first (SIGKILL), and tried again. More 2xx
            // copies than claimed attempts would be one attempt sent twice: a bug.
            var twice = delivered.Where(pair => pair.Value > 1).Select(pair => pair.Key).ToList();
            var beyondAttempts = twice.Count(eventId => delivered[eventId] > attempts.GetValueOrDefault(eventId));
            if (missing + unexpected + notFannedOut + beyondAttempts > 0)
            {
                webhookProblems.Add($"{receiver.Name}: {missing} missing, {notFannedOut} not fanned out, {unexpected} unknown, {beyondAttempts} received more often than attempted");
            }

            webhookRows.Add([receiver.Name, receiver.Behaviour.ToString().ToLowerInvariant(), deliveries.Count.ToString(CultureInfo.InvariantCulture),
                delivered.Count.ToString(CultureInfo.InvariantCulture), received.Count.ToString(CultureInfo.InvariantCulture),
                received.Count(r => r.Status is < 200 or >= 300).ToString(CultureInfo.InvariantCulture), missing.ToString(CultureInfo.InvariantCulture),
                twice.Count == 0 ? "0" : $"{twice.Count} ({twice.Count - beyondAttempts} re-attempted by the worker; last errors: " +
                    string.Join(", ", deliveries.Where(row => twice.Contains((string)row[0])).Select(row => (string)row[3] is { Length: > 0 } error ? error.Split(':')[0] : "none").Distinct().Take(3)) + ")"]);
        }

        invariants.Add(new("every event delivered to every subscription: none missing, none sent twice in one attempt", webhookProblems.Count == 0,
            webhookProblems.Count == 0 ? $"{run.Receivers.Sum(r => r.Delivered().Count)} events delivered to {run.Receivers.Count} receivers" : string.Join("; ", webhookProblems)));

        // 5 and 6. Rate limits and caches, read through both replicas now that every fault is over.
        invariants.Add(await RateLimitsAsync(stack, samples, cancellationToken));
        invariants.Add(await CachesAsync(stack, connection, cancellationToken));

        // 7. No 5xx or unanswered request outside the faults' windows.
        var windows = run.Faults.Where(fault => fault.Plan.AffectsApi)
            .Select(fault => (From: fault.Started, To: fault.Recovered ?? run.TrafficEnded)).ToList();
        // A request belongs to a fault's window when it was in flight at any moment of it (one cut off by a kill included).
        var outside = samples.Where(sample => sample.Status is 0 or >= 500
            && !windows.Any(window => sample.Start + TimeSpan.FromMilliseconds(sample.Milliseconds) >= window.From && sample.Start <= window.To)).ToList();
        invariants.Add(new("no 5xx and no unanswered request outside the faults' windows", outside.Count == 0,
            $"{samples.Count(sample => sample.Status is 0 or >= 500)} in fault windows or outside; {outside.Count} outside" +
            Examples(outside.Select(sample => $"{sample.Kind} on {sample.Replica} at {sample.Start.TotalSeconds:F1} s: {sample.Status}"))));

        var exceptions = run.Traffic.ClientExceptions.ToList();
        invariants.Add(new("every answer shaped as documented (no client scenario ended on an exception)", exceptions.Count == 0,
            $"{exceptions.Count} exceptions{Examples(exceptions)}"));

        // 8. Every fault recovered.
        var unrecovered = run.Faults.Where(fault => fault.Recovered is null || fault.Error is not null).ToList();
        invariants.Add(new("every fault recovered (every request kind succeeding on both replicas again)", unrecovered.Count == 0,
            unrecovered.Count == 0 ? $"{run.Faults.Count} faults" : string.Join("; ", unrecovered.Select(fault => $"{fault.Plan.Describe()}: {fault.Error ?? "not recovered"}"))));
        invariants.Add(new("the system drained (outbox, deliveries and paid payments settled)", run.Drained is not null,
            run.Drained is { } drained ? $"{(drained - run.TrafficEnded).TotalSeconds:F0} s after the traffic" : $"not within {run.Options.DrainTimeout.TotalSeconds:F0} s"));

        return new SoakReport(invariants, Markdown(run, invariants, samples, rounds, webhookRows));
    }

    internal sealed record StripeEventCounts(int Events, int Pending, int Delivered, int GivenUp, int Retried);

    /// <summary>The Stripe emulator's count of the events it sent and where their deliveries stand.</summary>
    internal static async Task<StripeEventCounts> StripeEventsAsync(SoakStack stack, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        var counts = await http.GetFromJsonAsync<JsonElement>(new Uri(stack.StripeEmulatorAddress, "/emulator/events"), cancellationToken);
        return new StripeEventCounts(counts.GetProperty("events").GetInt32(), counts.GetProperty("pending").GetInt32(),
            counts.GetProperty("delivered").GetInt32(), counts.GetProperty("given_up").GetInt32(), counts.GetProperty("retried").GetInt32());
    }

    private static async Task<Invariant> RateLimitsAsync(SoakStack stack, List<Sample> samples, CancellationToken cancellationToken)
    {
        var refused = samples.Count(sample => sample.Status == 429);
        using var http = new HttpClient();
        // A fresh account's login attempts, alternating between the replicas: the limit is exact (one shared counter
        // in the cache), so the first LoginAttemptLimit answers are 401 and every one after is 429, on either replica.
        var email = $"soak-limits-{Guid.NewGuid():N}@example.com";
        using (var register = await http.PostAsJsonAsync(new Uri(stack.ApiAddress, "/api/auth/register"), new { email, password = Scenarios.Password, name = "Soak Limits" }, cancellationToken))
        {
            register.EnsureSuccessStatusCode();
        }

        var answers = new List<int>();
        for (var attempt = 0; attempt < SoakStack.LoginAttemptLimit + 4; attempt++)
        {
            var address = attempt % 2 == 0 ? stack.ApiAddress : stack.ReplicaAddress;
            using var login = await http.PostAsJsonAsync(new Uri(address, "/api/auth/login"), new { email, password = "not the password" }, cancellationToken);
            answers.Add((int)login.StatusCode);
        }

        var exact = answers.Take(SoakStack.LoginAttemptLimit).All(status => status == 401) && answers.Skip(SoakStack.LoginAttemptLimit).All(status => status == 429);
        // Both replicas count general traffic in the cache again: their answers carry the limit's headers.
        var counting = new List<string>();
        foreach (var (name, address) in new[] { ("A", stack.ApiAddress), ("B", stack.ReplicaAddress) })
        {
            using var response = await http.GetAsync(new Uri(address, "/api/education/categories"), cancellationToken);
            if (response.Headers.Contains("X-RateLimit-Limit"))
            {
                counting.Add(name);
            }
        }

        return new Invariant("rate-limit counters consistent across replicas and cache restarts", refused == 0 && exact && counting.Count == 2,
            $"{refused} requests refused with 429 below the limits; login attempts over both replicas answered {string.Join(" ", answers)} " +
            $"(limit {SoakStack.LoginAttemptLimit}); replicas counting in the cache: {string.Join(", ", counting)}");
    }

    private static async Task<Invariant> CachesAsync(SoakStack stack, NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        var courses = await RowsAsync(connection, """
            SELECT c.slug, c.title, c.price_minor, (SELECT count(*) FROM lessons l WHERE l.course_id = c.id)
            FROM courses c WHERE c.published AND c.archived_at IS NULL
            """, cancellationToken);
        using var http = new HttpClient();
        var differences = new List<string>();
        foreach (var address in new[] { stack.ApiAddress, stack.ReplicaAddress })
        {
            foreach (var row in courses)
            {
                var served = await http.GetFromJsonAsync<JsonElement>(new Uri(address, $"/api/education/courses/{row[0]}"), cancellationToken);
                var course = served.GetProperty("course");
                if (course.GetProperty("title").GetString() != (string)row[1] || course.GetProperty("price").GetProperty("amount").GetInt64() != (long)row[2]
                    || served.GetProperty("lessons").GetArrayLength() != (long)row[3])
                {
                    differences.Add($"{row[0]} on {address.Port}");
                }
            }

            var list = await http.GetFromJsonAsync<JsonElement>(new Uri(address, "/api/education/courses?limit=1"), cancellationToken);
            if (list.GetProperty("pagination").GetProperty("total").GetInt64() != courses.Count)
            {
                differences.Add($"list total {list.GetProperty("pagination").GetProperty("total")} on {address.Port}, {courses.Count} in the database");
            }
        }

        return new Invariant("caches consistent with the database (every course on both replicas, the list's total)", differences.Count == 0,
            $"{courses.Count} published courses checked on 2 replicas; {differences.Count} differ{Examples(differences)}");
    }

    private static string Markdown(SoakObservations run, List<Invariant> invariants, List<Sample> samples, List<ProbeRound> rounds, List<string[]> webhookRows)
    {
        var text = new StringBuilder();
        var ok = invariants.All(invariant => invariant.Holds);
        text.AppendLine(CultureInfo.InvariantCulture, $"# Soak {run.StartedAt:yyyy-MM-dd HH:mm} UTC: {(ok ? "every invariant held" : "**INVARIANTS BROKEN**")}");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture,
            $"Machine: {Environment.MachineName}, {Environment.ProcessorCount} cores. Traffic {run.TrafficEnded.TotalMinutes:F1} min " +
            $"({run.Options.Duration.TotalMinutes:F1} planned, longer while the last fault recovered): " +
            $"{run.Options.AnonymousClients} anonymous visitors, {run.Options.Members} members and a prober over 2 API replicas; " +
            $"{samples.Count:N0} requests, {rounds.Count} probe rounds ({rounds.Count(round => round.Ok)} fully successful).");
        text.AppendLine();
        Table(text, ["invariant", "holds", "detail"], invariants.Select(invariant => new[] { invariant.Name, invariant.Holds ? "yes" : "**NO**", invariant.Detail }));

        text.AppendLine("## Faults");
        text.AppendLine();
        Table(text, ["fault", "at", "dependency back after", "client errors during (5xx / no answer / other)", "which requests (kind on replica, status × count)",
                "recovered after it was back", "recovered after it began", "failed probe rounds (first failure)"],
            run.Faults.Select(fault =>
            {
                var to = fault.Recovered ?? run.TrafficEnded;
                var during = samples.Where(sample => sample.Start + TimeSpan.FromMilliseconds(sample.Milliseconds) >= fault.Started && sample.Start <= to && !sample.Ok).ToList();
                return new[]
                {
                    fault.Plan.Describe() + (fault.Error is null ? "" : $" (error: {fault.Error})"),
                    $"{fault.Started.TotalSeconds:F0} s",
                    fault.Back is { } back ? $"{(back - fault.Started).TotalSeconds:F1} s" : "never",
                    fault.Back is null ? "" : fault.Plan.AffectsApi ? $"{during.Count(s => s.Status >= 500)} / {during.Count(s => s.Status == 0)} / {during.Count(s => s.Status is > 0 and < 500)}" : "(not client-facing)",
                    fault.Plan.AffectsApi ? ErrorsByKind(during) : "",
                    fault.Recovered is { } recovered && fault.Back is { } backAt ? $"{(recovered - backAt).TotalSeconds:F1} s" : "**not recovered**",
                    fault.Recovered is { } end ? $"{(end - fault.Started).TotalSeconds:F1} s" : "",
                    FailedRounds(rounds.Where(round => !round.Ok && round.End >= fault.Started && round.Start <= to).ToList()),
                };
            }));

        text.AppendLine("## Latency per request kind");
        text.AppendLine();
        Table(text, ["kind", "requests", "not as expected (status × count; 0: no answer)", "429", "p50 ms", "p99 ms"], samples.GroupBy(sample => sample.Kind).OrderBy(group => group.Key, StringComparer.Ordinal).Select(group =>
        {
            var times = group.Where(sample => sample.Ok).Select(sample => sample.Milliseconds).Order().ToList();
            var unexpected = group.Where(sample => !sample.Ok).GroupBy(sample => sample.Status).OrderByDescending(status => status.Count())
                .Select(status => $"{status.Key} × {status.Count()}").ToList();
            return new[]
            {
                group.Key, group.Count().ToString(CultureInfo.InvariantCulture),
                $"{group.Count(sample => !sample.Ok)}{(unexpected.Count == 0 ? "" : $" ({string.Join(", ", unexpected)})")}",
                group.Count(sample => sample.Status == 429).ToString(CultureInfo.InvariantCulture), Percentile(times, 0.50), Percentile(times, 0.99),
            };
        }));

        text.AppendLine("## Partner webhooks");
        text.AppendLine();
        Table(text, ["receiver", "behaviour", "deliveries (database)", "events received (2xx)", "requests", "refused", "missing", "received twice"], webhookRows);

        text.AppendLine("## Services: memory and CPU");
        text.AppendLine();
        text.AppendLine("Memory (PSS: resident pages, shared ones split among their processes) of each service's process tree; CPU as a share of one core over the first and the last 5-second interval of the run (after a restart, the new process).");
        text.AppendLine();
        var resources = run.Resources.ToList();
        Table(text, ["service", "memory at start (MB)", "memory at end (MB)", "CPU at start", "CPU at end", "processes"], resources.GroupBy(sample => sample.Service).Select(group =>
        {
            var list = group.OrderBy(sample => sample.At).ToList();
            return new[]
            {
                group.Key, $"{list[0].RssBytes / 1048576.0:F0}", $"{list[^1].RssBytes / 1048576.0:F0}", CpuShare(list.Take(2).ToList()), CpuShare(list.TakeLast(2).ToList()),
                list.Select(sample => sample.Pid).Distinct().Count().ToString(CultureInfo.InvariantCulture),
            };
        }));
        return text.ToString();
    }

    /// <summary>Which requests failed during a fault, most frequent first: the kind and replica that suffered it.</summary>
    private static string ErrorsByKind(List<Sample> failed) =>
        failed.Count == 0 ? "" : string.Join(", ", failed.GroupBy(sample => (sample.Kind, sample.Replica, sample.Status)).OrderByDescending(group => group.Count()).Take(4)
            .Select(group => $"{group.Key.Kind}{(group.Key.Replica == "-" ? "" : $" on {group.Key.Replica}")} {group.Key.Status} × {group.Count()}"));

    private static string FailedRounds(List<ProbeRound> failed) =>
        failed.Count == 0 ? "0" : $"{failed.Count} ({string.Join(", ", failed.GroupBy(round => round.FirstFailure).OrderByDescending(group => group.Count()).Take(2).Select(group => $"{group.Key} × {group.Count()}"))})";

    private static string CpuShare(List<ResourceSample> pair) =>
        pair.Count == 2 && pair[0].Pid == pair[1].Pid && pair[1].At > pair[0].At
            ? $"{(pair[1].Cpu - pair[0].Cpu).TotalSeconds / (pair[1].At - pair[0].At).TotalSeconds * 100:F0} %"
            : "n/a";

    private static string Percentile(List<double> sorted, double share) =>
        sorted.Count == 0 ? "" : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(share * sorted.Count) - 1)].ToString("F1", CultureInfo.InvariantCulture);

    private static void Table(StringBuilder text, string[] header, IEnumerable<string[]> rows)
    {
        text.AppendLine("| " + string.Join(" | ", header) + " |");
        text.AppendLine("|" + string.Concat(header.Select(_ => " --- |")));
        foreach (var row in rows)
        {
            text.AppendLine("| " + string.Join(" | ", row.Select(cell => cell.Replace("|", "\\|", StringComparison.Ordinal))) + " |");
        }

        text.AppendLine();
    }

    private static string Examples(IEnumerable<string> items)
    {
        var some = items.Take(3).ToList();
        return some.Count == 0 ? "" : $" (e.g. {string.Join(", ", some)})";
    }

    private static async Task<List<object[]>> RowsAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<object[]>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }

        return rows;
    }

    private static async Task<long> ScalarAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params (string Name, object Value)[] parameters) =>
        (long)(await RowsAsync(connection, sql, cancellationToken, parameters))[0][0];
}
