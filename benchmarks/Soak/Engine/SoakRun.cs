using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Azora.Soak;

internal sealed record SoakOptions(TimeSpan Duration, IReadOnlyList<PlannedFault> Faults, int AnonymousClients, int Members, TimeSpan DrainTimeout)
{
    /// <summary>The operator's run: every fault, 6 anonymous visitors and 6 members beside the prober.</summary>
    public static SoakOptions Full(TimeSpan duration) => new(duration, FaultSchedule.Full(duration), 6, 6, TimeSpan.FromMinutes(3));

    /// <summary>The test suite's run: two faults, a few clients.</summary>
    public static SoakOptions Short(TimeSpan duration) => new(duration, FaultSchedule.Short(duration), 2, 3, TimeSpan.FromSeconds(60));
}

internal sealed record ResourceSample(string Service, TimeSpan At, int Pid, long RssBytes, TimeSpan Cpu);

/// <summary>Everything a run recorded, for the audit.</summary>
internal sealed class SoakObservations
{
    public required SoakOptions Options { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required TrafficContext Traffic { get; init; }

    public required IReadOnlyList<WebhookReceiver> Receivers { get; init; }

    public required IReadOnlyList<FaultRecord> Faults { get; init; }

    public required ConcurrentQueue<ResourceSample> Resources { get; init; }

    public required TimeSpan TrafficEnded { get; init; }

    public required TimeSpan? Drained { get; init; }
}

/// <summary>The soak: a stack of its own, mixed traffic on two replicas, faults on a schedule, then the audit.</summary>
internal static class SoakRun
{
    /// <summary>How long the traffic may run past its time while faults are still recovering.</summary>
    private static readonly TimeSpan MaximumOverrun = TimeSpan.FromMinutes(4);

    /// <summary>How long a fault may take to recover before the next one starts anyway.</summary>
    private static readonly TimeSpan RecoveryWait = TimeSpan.FromMinutes(2);

    private static readonly string[] SubscribedEvents = ["payment.success", "payment.failed", "course.enrolled", "course.completed"];

    public static async Task<SoakReport> RunAsync(SoakOptions options, TextWriter log, CancellationToken cancellationToken)
    {
        var started = Stopwatch.StartNew();
        await using var stack = await SoakStack.StartAsync(log, cancellationToken);
        log.WriteLine($"stack started in {started.Elapsed.TotalSeconds:F0} s");
        var courses = await CatalogAsync(stack);
        var clock = new Stopwatch();
        var traffic = new TrafficContext(stack, courses, clock);
        var receivers = new List<WebhookReceiver>
        {
            new("steady", ReceiverBehaviour.Steady, () => clock.Elapsed),
            new("slow", ReceiverBehaviour.Slow, () => clock.Elapsed),
            new("flaky", ReceiverBehaviour.Flaky, () => clock.Elapsed),
            new("recovering", ReceiverBehaviour.Recovering, () => clock.Elapsed, options.Duration * 0.25),
        };
        try
        {
            await SubscribeAsync(stack, receivers);
            var startedAt = DateTimeOffset.UtcNow;
            log.WriteLine($"{courses.Count} courses, {receivers.Count} partner receivers; traffic for {options.Duration.TotalMinutes:F1} min");
            var resources = new ConcurrentQueue<ResourceSample>();
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            clock.Start();
            var sampler = SampleResourcesAsync(stack, clock, resources, stop.Token);
            var clients = new List<Task>();
            for (var i = 0; i < options.AnonymousClients; i++)
            {
                var caller = new ApiCaller(traffic, i % 2 == 0 ? "A" : "B");
                clients.Add(KeepRunningAsync(traffic, () => Scenarios.AnonymousAsync(traffic, caller, stop.Token), stop.Token));
            }

            for (var i = 0; i < options.Members; i++)
            {
                var caller = new ApiCaller(traffic, i % 2 == 0 ? "A" : "B");
                clients.Add(KeepRunningAsync(traffic, () => Scenarios.MemberAsync(traffic, caller, stop.Token), stop.Token));
            }

            clients.Add(KeepRunningAsync(traffic, () => Scenarios.ProbeAsync(traffic, stop.Token), stop.Token));
            var faults = options.Faults.Select(plan => new FaultRecord(plan)).ToList();
            var injector = InjectAsync(stack, traffic, receivers, faults, log, stop.Token, cancellationToken);

            // The traffic runs its time, and on until every fault has recovered (each waits for the one before it).
            await Task.WhenAny(Task.WhenAll(Task.Delay(options.Duration, cancellationToken), injector), Task.Delay(options.Duration + MaximumOverrun, cancellationToken));
            await stop.CancelAsync();
            await Task.WhenAll(clients);
            var trafficEnded = clock.Elapsed;
            await injector;
            await sampler;
            log.WriteLine($"traffic ended at {trafficEnded.TotalSeconds:F0} s ({traffic.Samples.Count:N0} requests); draining");
            var drained = await DrainAsync(stack, traffic, receivers, clock, options.DrainTimeout, cancellationToken);
            MeasureResources(stack, clock, resources);
            foreach (var fault in faults.Where(fault => fault.Plan.Kind == FaultKind.ReceiverDown && fault.Recovered is null && drained is not null))
            {
                fault.Recovered = drained;
            }

            var observations = new SoakObservations
            {
                Options = options,
                StartedAt = startedAt,
                Traffic = traffic,
                Receivers = receivers,
                Faults = faults,
                Resources = resources,
                TrafficEnded = trafficEnded,
                Drained = drained,
            };
            return await SoakAudit.RunAsync(stack, observations, cancellationToken);
        }
        finally
        {
            foreach (var receiver in receivers)
            {
                receiver.Dispose();
            }

            traffic.Http.Dispose();
        }
    }

    /// <summary>Runs a client's scenario until the traffic stops, starting it again after an exception, which it keeps for the audit.</summary>
    private static Task KeepRunningAsync(TrafficContext traffic, Func<Task> scenario, CancellationToken stop) => Task.Run(async () =>
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await scenario();
            }
            catch (Exception ex)
            {
                if (!stop.IsCancellationRequested)
                {
                    traffic.ClientExceptions.Enqueue($"{traffic.Clock.Elapsed.TotalSeconds:F0} s: {ex.GetType().Name}: {ex.Message}");
                    await Task.Delay(500, CancellationToken.None);
                }
            }
        }
    }, CancellationToken.None);

    /// <summary>Every published course with its lessons, read through the API.</summary>
    private static async Task<List<CourseInfo>> CatalogAsync(SoakStack stack)
    {
        using var http = new HttpClient { BaseAddress = stack.ApiAddress };
        var courses = new List<CourseInfo>();
        for (var page = 1; ; page++)
        {
            var list = await http.GetFromJsonAsync<JsonElement>($"/api/education/courses?limit=100&page={page}");
            foreach (var summary in list.GetProperty("data").EnumerateArray())
            {
                var slug = summary.GetProperty("slug").GetString()!;
                var detail = await http.GetFromJsonAsync<JsonElement>($"/api/education/courses/{slug}");
                courses.Add(new CourseInfo(summary.GetProperty("id").GetGuid(), slug, summary.GetProperty("isFree").GetBoolean(),
                    detail.GetProperty("lessons").EnumerateArray().Select(lesson => lesson.GetProperty("id").GetGuid()).ToArray()));
            }

            if (page >= list.GetProperty("pagination").GetProperty("pages").GetInt32())
            {
                break;
            }
        }

        if (!courses.Any(course => course.IsFree && course.Lessons.Length > 0) || courses.Count(course => !course.IsFree) < 3)
        {
            throw new InvalidOperationException("The catalog needs free courses with lessons and at least three paid courses.");
        }

        return courses;
    }

    /// <summary>An admin (made one in the database, as the admin command would) subscribes each receiver to the payment and learning events.</summary>
    private static async Task SubscribeAsync(SoakStack stack, List<WebhookReceiver> receivers)
    {
        using var http = new HttpClient { BaseAddress = stack.ApiAddress };
        var email = $"soak-admin-{Guid.NewGuid():N}@example.com";
        (await http.PostAsJsonAsync("/api/auth/register", new { email, password = Scenarios.Password, name = "Soak Admin" })).EnsureSuccessStatusCode();
        await using (var connection = new NpgsqlConnection(stack.DatabaseConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("UPDATE users SET roles = ARRAY['admin'], email_verified_at = now() WHERE email = @email", connection);
            command.Parameters.AddWithValue("email", email);
            await command.ExecuteNonQueryAsync();
        }

        using var login = await http.PostAsJsonAsync("/api/auth/login", new { email, password = Scenarios.Password });
        login.EnsureSuccessStatusCode();
        var token = (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        foreach (var receiver in receivers)
        {
            using var created = await http.PostAsJsonAsync("/api/webhooks", new { url = receiver.Url, events = SubscribedEvents, description = $"soak: {receiver.Name}" });
            var body = await created.Content.ReadAsStringAsync();
            if (!created.IsSuccessStatusCode)
            {
                throw new InvalidOperationException($"Subscribing {receiver.Name} answered {(int)created.StatusCode}: {body}");
            }

            receiver.SubscriptionId = JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid();
        }
    }

    /// <summary>
    /// Injects the faults in turn, each at its time or once the one before has recovered, whichever is later, so that
    /// every fault's errors and recovery are its own.
    /// </summary>
    /// <param name="trafficStopped">Once the traffic has stopped, no further fault starts and none waits for a recovery
    /// that no probe round could show any more; a fault under way is always completed (its dependency started again).</param>
    private static async Task InjectAsync(
        SoakStack stack, TrafficContext traffic, List<WebhookReceiver> receivers, List<FaultRecord> faults, TextWriter log, CancellationToken trafficStopped,
        CancellationToken cancellationToken)
    {
        var clock = traffic.Clock;
        var watchers = new List<Task>();
        foreach (var fault in faults)
        {
            var wait = fault.Plan.At - clock.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, trafficStopped).ContinueWith(_ => { }, TaskScheduler.Default);
            }

            if (trafficStopped.IsCancellationRequested)
            {
                fault.Error = "not started: the traffic had ended";
                continue;
            }

            fault.Started = clock.Elapsed;
            log.WriteLine($"{fault.Started.TotalSeconds,6:F0} s  fault: {fault.Plan.Describe()}");
            try
            {
                var steady = receivers.Single(receiver => receiver.Name == "steady");
                switch (fault.Plan.Kind)
                {
                    case FaultKind.PostgresRestart:
                    case FaultKind.PostgresDown:
                        await stack.StopResourceAsync("postgres", cancellationToken);
                        await Task.Delay(fault.Plan.Hold, cancellationToken);
                        await stack.StartResourceAsync("postgres", cancellationToken);
                        break;
                    case FaultKind.CacheKill:
                        await stack.KillResourceAsync(stack.CacheResource, cancellationToken);
                        await Task.Delay(fault.Plan.Hold, cancellationToken);
                        await stack.StartResourceAsync(stack.CacheResource, cancellationToken);
                        break;
                    case FaultKind.WorkerKill:
                        await stack.KillResourceAsync("payments", cancellationToken);
                        await Task.Delay(fault.Plan.Hold, cancellationToken);
                        await stack.StartResourceAsync("payments", cancellationToken);
                        break;
                    case FaultKind.ReplicaKill:
                        stack.KillReplica();
                        await Task.Delay(fault.Plan.Hold, cancellationToken);
                        await stack.StartReplicaAsync(cancellationToken);
                        break;
                    case FaultKind.ReceiverDown:
                        steady.Down();
                        await Task.Delay(fault.Plan.Hold, cancellationToken);
                        steady.Up();
                        watchers.Add(WatchBacklogAsync(stack, steady, fault, clock, cancellationToken));
                        break;
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or OperationCanceledException)
            {
                fault.Error = ex.Message;
                log.WriteLine($"fault {fault.Plan.Kind} failed: {ex.Message}");
            }

            fault.Back = clock.Elapsed;
            log.WriteLine($"{fault.Back.Value.TotalSeconds,6:F0} s  back after {(fault.Back.Value - fault.Started).TotalSeconds:F1} s");
            if (fault.Plan.AffectsApi)
            {
                var until = clock.Elapsed + RecoveryWait;
                while (clock.Elapsed < until && !trafficStopped.IsCancellationRequested && traffic.Rounds.FirstOrDefault(round => round.Ok && round.Start >= fault.Back) is null)
                {
                    await Task.Delay(250, cancellationToken);
                }

                fault.Recovered = traffic.Rounds.FirstOrDefault(round => round.Ok && round.Start >= fault.Back)?.End;
                log.WriteLine($"{clock.Elapsed.TotalSeconds,6:F0} s  " +
                    (fault.Recovered is { } recovered ? $"recovered {(recovered - fault.Back.Value).TotalSeconds:F1} s after" : "not recovered"));
            }
        }

        await Task.WhenAll(watchers);
    }

    /// <summary>
    /// A receiver is recovered once every delivery to it that was queued before it came back has been made (new ones
    /// keep coming with the traffic).
    /// </summary>
    private static async Task WatchBacklogAsync(SoakStack stack, WebhookReceiver receiver, FaultRecord fault, Stopwatch clock, CancellationToken cancellationToken)
    {
        var upAt = DateTime.UtcNow;
        var until = clock.Elapsed + TimeSpan.FromMinutes(3);
        while (clock.Elapsed < until)
        {
            try
            {
                if ((await SoakAudit.StripeEventsAsync(stack, cancellationToken)).Pending > 0)
                {
                    await Task.Delay(1000, cancellationToken);
                    continue;
                }

                await using var connection = new NpgsqlConnection(stack.DatabaseConnectionString);
                await connection.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand(
                    "SELECT count(*) FROM webhook_deliveries WHERE subscription_id = @id AND outcome = 'pending' AND created_at <= @upAt", connection);
                command.Parameters.AddWithValue("id", receiver.SubscriptionId);
                command.Parameters.AddWithValue("upAt", upAt);
                if ((long)(await command.ExecuteScalarAsync(cancellationToken))! == 0)
                {
                    fault.Recovered = clock.Elapsed;
                    return;
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException)
            {
                // PostgreSQL away for a moment: look again.
            }

            await Task.Delay(500, cancellationToken);
        }
    }

    /// <summary>
    /// Waits until the system is quiet: no Stripe webhook still being retried by the emulator, every outbox event fanned
    /// out, no delivery pending, and no payment the soak paid for still open. Returns when, or null on timeout.
    /// </summary>
    private static async Task<TimeSpan?> DrainAsync(SoakStack stack, TrafficContext traffic, List<WebhookReceiver> receivers, Stopwatch clock, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var paid = traffic.Purchases.Select(purchase => purchase.PaymentId).ToArray();
        var until = clock.Elapsed + timeout;
        while (clock.Elapsed < until)
        {
            foreach (var receiver in receivers)
            {
                receiver.Up();
            }

            try
            {
                if ((await SoakAudit.StripeEventsAsync(stack, cancellationToken)).Pending > 0)
                {
                    await Task.Delay(1000, cancellationToken);
                    continue;
                }

                await using var connection = new NpgsqlConnection(stack.DatabaseConnectionString);
                await connection.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand(
                    """
                    SELECT (SELECT count(*) FROM outbox_events WHERE dispatched_at IS NULL)
                         + (SELECT count(*) FROM webhook_deliveries WHERE outcome = 'pending')
                         + (SELECT count(*) FROM payments WHERE id = ANY(@paid) AND status IN ('pending', 'requires_action'))
                    """, connection);
                command.Parameters.AddWithValue("paid", paid);
                if ((long)(await command.ExecuteScalarAsync(cancellationToken))! == 0)
                {
                    return clock.Elapsed;
                }
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException or HttpRequestException)
            {
                // PostgreSQL still coming back.
            }

            await Task.Delay(1000, cancellationToken);
        }

        return null;
    }

    private static async Task SampleResourcesAsync(SoakStack stack, Stopwatch clock, ConcurrentQueue<ResourceSample> samples, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            MeasureResources(stack, clock, samples);
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(5), stop);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private static void MeasureResources(SoakStack stack, Stopwatch clock, ConcurrentQueue<ResourceSample> samples)
    {
        foreach (var service in stack.Services)
        {
            if (stack.ResourcePid(service) is { } pid)
            {
                var (rss, cpu) = ProcessTree.Measure(pid);
                samples.Enqueue(new ResourceSample(service, clock.Elapsed, pid, rss, cpu));
            }
        }
    }
}
