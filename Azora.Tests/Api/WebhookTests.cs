using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Azora.Contract.Webhooks;
using Azora.Tests.Stack;

namespace Azora.Tests.Api;

/// <summary>Outgoing webhooks through the stack's API and worker to a real receiver on loopback.</summary>
[Collection(StackCollection.Name)]
public class WebhookTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task An_instructor_receives_signed_events_of_their_own_courses_only()
    {
        using var receiver = new WebhookReceiver();
        using var otherReceiver = new WebhookReceiver();
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var otherInstructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var secret = (await SubscribeAsync(client, instructor, receiver.Url, ["course.enrolled"])).GetProperty("secret").GetString()!;
        var otherSubscriptionId = (await SubscribeAsync(client, otherInstructor, otherReceiver.Url, ["course.enrolled"])).GetProperty("id").GetString();
        var course = await Courses.CreateAsync(client, instructor);
        var learner = await TestAccounts.RegisterAsync(client);

        using (var enrolled = await client.PostJsonAsync($"/api/education/courses/{course.Id}/enroll", new { }, learner.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Created, enrolled.StatusCode);
        }

        var webhook = (await receiver.WaitForAsync(1)).Single();
        Assert.True(WebhookReceiver.Verifies(webhook, secret));
        Assert.False(WebhookReceiver.Verifies(webhook, "whsec_wrong"));
        using var envelope = JsonDocument.Parse(webhook.Body);
        Assert.Equal("course.enrolled", envelope.RootElement.GetProperty("type").GetString());
        Assert.Equal(webhook.EventId, envelope.RootElement.GetProperty("id").GetString());
        Assert.Equal(course.Id, envelope.RootElement.GetProperty("data").GetProperty("courseId").GetGuid());
        Assert.True(envelope.RootElement.TryGetProperty("createdAt", out _));
        // One statement fans an event out to every subscription it matches and marks it dispatched, so once it is
        // dispatched the other instructor's subscription has no delivery for it, and never will.
        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM outbox_events WHERE id = @id::uuid AND dispatched_at IS NOT NULL", new { id = webhook.EventId }));
        Assert.Equal(0, await stack.CountAsync("SELECT count(*) FROM webhook_deliveries WHERE subscription_id = @id::uuid", new { id = otherSubscriptionId }));
        Assert.Empty(otherReceiver.Received);
    }

    [Fact]
    public async Task A_receiver_that_is_down_gets_the_event_once_it_is_back()
    {
        var port = WebhookReceiver.FreePort();
        using var client = stack.CreateApiClient();
        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");
        var path = $"/hooks/{Guid.NewGuid():N}";
        var subscription = await SubscribeAsync(client, admin, $"http://127.0.0.1:{port}{path}", ["ping"]);
        var id = subscription.GetProperty("id").GetString();
        using (var ping = await client.PostJsonAsync($"/api/webhooks/{id}/ping", new { }, admin.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Accepted, ping.StatusCode);
        }

        var failed = await WaitForDeliveryAsync(client, admin, id!, delivery => delivery.GetProperty("attemptCount").GetInt32() >= 1 && delivery.GetProperty("lastError").ValueKind == JsonValueKind.String);
        Assert.Equal("pending", failed.GetProperty("outcome").GetString());

        using var receiver = new WebhookReceiver(port, path);
        await receiver.WaitForAsync(1);
        var delivered = await WaitForDeliveryAsync(client, admin, id!, delivery => delivery.GetProperty("outcome").GetString() == "delivered");
        Assert.True(delivered.GetProperty("attemptCount").GetInt32() >= 2);
        Assert.Equal(200, delivered.GetProperty("lastStatusCode").GetInt32());
    }

    [Fact]
    public async Task Server_errors_are_retried_with_growing_gaps()
    {
        using var receiver = new WebhookReceiver();
        receiver.Answer(500);
        receiver.Answer(500);
        receiver.Answer(503);
        using var client = stack.CreateApiClient();
        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");
        var id = (await SubscribeAsync(client, admin, receiver.Url, ["ping"])).GetProperty("id").GetString()!;

        using (await client.PostJsonAsync($"/api/webhooks/{id}/ping", new { }, admin.AccessToken))
        {
        }

        var attempts = await receiver.WaitForAsync(4, TimeSpan.FromSeconds(40));
        var gaps = attempts.Zip(attempts.Skip(1), (earlier, later) => later.At - earlier.At).ToList();
        // The stack's schedule doubles from 1 s with ±20% jitter. A busy machine only ever lengthens a gap, so each gap is
        // checked against its shortest possible value, and the growth against the first gap with seconds to spare.
        var shortest = new[] { 0.8, 1.6, 3.2 }.Select(seconds => TimeSpan.FromSeconds(seconds) - TimeSpan.FromMilliseconds(50));
        Assert.All(gaps.Zip(shortest), pair => Assert.True(pair.First >= pair.Second, "Gaps: " + string.Join(", ", gaps)));
        Assert.True(gaps[2] > gaps[0], "Gaps: " + string.Join(", ", gaps));
        Assert.Single(attempts.Select(attempt => attempt.EventId).Distinct());
        var delivered = await WaitForDeliveryAsync(client, admin, id, delivery => delivery.GetProperty("outcome").GetString() == "delivered");
        Assert.Equal(4, delivered.GetProperty("attemptCount").GetInt32());
    }

    [Fact]
    public async Task Two_workers_share_the_deliveries_and_never_send_the_same_one_twice()
    {
        await using var secondWorker = await ApiInstance.StartAsync(
            stack, new Dictionary<string, string> { ["Azora:Webhooks:PollInterval"] = "00:00:00.100" }, paymentsWorker: true);
        using var receiver = new WebhookReceiver();
        using var client = stack.CreateApiClient();
        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");
        var id = (await SubscribeAsync(client, admin, receiver.Url, ["ping"])).GetProperty("id").GetString()!;

        await Task.WhenAll(Enumerable.Range(0, 40).Select(async _ =>
        {
            using var ping = await client.PostJsonAsync($"/api/webhooks/{id}/ping", new { }, admin.AccessToken);
            Assert.Equal(HttpStatusCode.Accepted, ping.StatusCode);
        }));

        await receiver.WaitForAsync(40);
        var delivered = await Eventually.ReadAsync(
            () => stack.CountAsync("SELECT count(*) FROM webhook_deliveries WHERE subscription_id = @id::uuid AND outcome = 'delivered'", new { id }),
            count => count == 40,
            attempts: 100,
            TimeSpan.FromMilliseconds(100));
        Assert.Equal(40, delivered);
        // Every delivery was claimed once (a second send counts a second attempt), and a delivered one is never claimed
        // again: what the receiver holds now is final.
        Assert.Equal(40, await stack.CountAsync("SELECT count(*) FROM webhook_deliveries WHERE subscription_id = @id::uuid AND attempt_count = 1", new { id }));
        Assert.Equal(40, receiver.Received.Count);
        Assert.Equal(40, receiver.Received.Select(webhook => webhook.EventId).Distinct().Count());
    }

    [Fact]
    public async Task A_receiver_that_always_fails_gets_the_last_attempt_and_then_the_delivery_is_failed()
    {
        using var receiver = new WebhookReceiver();
        for (var i = 0; i < 10; i++)
        {
            receiver.Answer(500);
        }

        using var client = stack.CreateApiClient();
        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");
        var id = (await SubscribeAsync(client, admin, receiver.Url, ["ping"])).GetProperty("id").GetString()!;
        using (var ping = await client.PostJsonAsync($"/api/webhooks/{id}/ping", new { }, admin.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Accepted, ping.StatusCode);
        }

        // The stack's schedule doubles from 1 s and is capped at 8 s (±20% jitter): after the fifth attempt the doubled
        // delay would be 16 s. The worker records the delay it chose as next_attempt_at - updated_at (one now()), read here
        // once the fifth attempt is recorded (a claimed attempt shows its lease instead, 30 s and more).
        var afterFifth = await Eventually.ReadAsync(
            () => ScheduleAsync(id),
            read => read.Attempts > 5 || (read.Attempts == 5 && read.DelaySeconds < 30),
            attempts: 400,
            TimeSpan.FromMilliseconds(100));
        Assert.Equal(5, afterFifth.Attempts);
        Assert.InRange(afterFifth.DelaySeconds ?? 0, 8 * 0.8, 8 * 1.2);

        // The stack allows six attempts; the sixth is the last.
        var last = await Eventually.ReadAsync(() => ScheduleAsync(id), read => read.Outcome != "pending", attempts: 300, TimeSpan.FromMilliseconds(100));
        Assert.Equal("failed", last.Outcome);
        Assert.Equal(6, last.Attempts);
        Assert.Null(last.DelaySeconds);
        Assert.Equal(6, receiver.Received.Count);
        Assert.Single(receiver.Received.Select(webhook => webhook.EventId).Distinct());
    }

    [Fact]
    public async Task An_event_fanned_out_twice_is_delivered_once()
    {
        using var receiver = new WebhookReceiver();
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var subscriptionId = (await SubscribeAsync(client, instructor, receiver.Url, ["course.enrolled"])).GetProperty("id").GetString();
        var course = await Courses.CreateAsync(client, instructor);
        var learner = await TestAccounts.RegisterAsync(client);
        using (var enrolled = await client.PostJsonAsync($"/api/education/courses/{course.Id}/enroll", new { }, learner.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Created, enrolled.StatusCode);
        }

        var eventId = (await receiver.WaitForAsync(1)).Single().EventId;

        // The relay meets the event a second time (as after a restore, or a relay that lost its dispatched mark).
        await stack.ExecuteAsync("UPDATE outbox_events SET dispatched_at = NULL WHERE id = @eventId::uuid", new { eventId });
        var dispatchedAgain = await Eventually.ReadAsync(
            () => stack.CountAsync("SELECT count(*) FROM outbox_events WHERE id = @eventId::uuid AND dispatched_at IS NOT NULL", new { eventId }),
            count => count == 1,
            attempts: 100,
            TimeSpan.FromMilliseconds(100));

        Assert.Equal(1, dispatchedAgain);
        Assert.Equal(1, await stack.CountAsync(
            "SELECT count(*) FROM webhook_deliveries WHERE subscription_id = @subscriptionId::uuid AND event_id = @eventId::uuid", new { subscriptionId, eventId }));
    }

    [Fact]
    public async Task A_worker_that_refuses_loopback_does_not_connect_to_a_name_that_now_resolves_there()
    {
        // A worker of its own on a database of its own: the stack's worker allows loopback and would deliver first.
        var database = await stack.CreateMigratedDatabaseAsync("azora_rebinding");
        using var receiver = new WebhookReceiver();
        var delivery = Guid.NewGuid();
        // Saved while the target was public (the check at subscription passed); it now answers on loopback.
        var subscription = await SubscribeAdminPartnerAsync(database, receiver.Url, "ping");
        await StackDatabase.ExecuteAsync(
            database,
            """
            INSERT INTO webhook_deliveries (id, subscription_id, event_id, event_type, envelope, next_attempt_at, created_at, updated_at)
            VALUES (@delivery, @subscription, gen_random_uuid(), 'ping', '{"type":"ping"}', now(), now(), now());
            """,
            new { subscription, delivery });

        await using var worker = await ApiInstance.StartAsync(
            stack,
            new Dictionary<string, string>
            {
                ["Azora:Webhooks:AllowLoopback"] = "false",
                ["Azora:Webhooks:MaximumAttempts"] = "1",
                ["Azora:Webhooks:PollInterval"] = "00:00:00.100",
            },
            databaseConnectionString: database,
            paymentsWorker: true);

        var outcome = await Eventually.ReadAsync(
            () => StackDatabase.CountAsync(database, "SELECT count(*) FROM webhook_deliveries WHERE id = @delivery AND outcome <> 'pending'", new { delivery }),
            count => count == 1,
            attempts: 300,
            TimeSpan.FromMilliseconds(100));

        Assert.Equal(1, outcome);
        Assert.Equal(1, await StackDatabase.CountAsync(
            database,
            "SELECT count(*) FROM webhook_deliveries WHERE id = @delivery AND outcome = 'failed' AND last_status_code IS NULL AND last_error LIKE '%Loopback addresses are not allowed%'",
            new { delivery }));
        Assert.Empty(receiver.Received);
    }

    [Fact]
    public async Task A_committed_event_wakes_the_relay_long_before_its_poll_and_after_its_connection_is_cut()
    {
        // A worker of its own on a database of its own, polling once an hour: only a notification can wake it in time.
        var database = await stack.CreateMigratedDatabaseAsync("azora_relay_wake");
        using var receiver = new WebhookReceiver();
        await SubscribeAdminPartnerAsync(database, receiver.Url);
        await using var worker = await ApiInstance.StartAsync(
            stack, new Dictionary<string, string> { ["Azora:Webhooks:PollInterval"] = "01:00:00" }, databaseConnectionString: database, paymentsWorker: true);

        // The worker's first pass, at start, may hand on the first event; the others come after it is idle and listening.
        await WriteEventAsync(database);
        await receiver.WaitForAsync(1);
        var listener = await WaitForListenerAsync(database);
        await WriteEventAsync(database);
        Assert.Equal(2, (await receiver.WaitForAsync(2)).Length);

        // The listening connection is cut (a failover, a network fault): the relay connects again and listens on.
        await StackDatabase.ExecuteAsync(database, "SELECT pg_terminate_backend(@listener)", new { listener });
        Assert.NotEqual(listener, await WaitForListenerAsync(database, replacing: listener));
        await WriteEventAsync(database);
        var received = await receiver.WaitForAsync(3);

        Assert.Equal(3, received.Length);
        Assert.Equal(3, received.Select(webhook => webhook.EventId).Distinct().Count());
        Assert.Contains("Webhook relay notifications unavailable", worker.StandardOutput);
    }

    [Fact]
    public async Task An_outcome_that_cannot_be_recorded_leaves_the_delivery_to_be_sent_again_when_its_lease_ends()
    {
        // A worker of its own on a database of its own, where recording a delivered outcome fails until the trigger goes.
        var database = await stack.CreateMigratedDatabaseAsync("azora_relay_unrecorded");
        using var receiver = new WebhookReceiver();
        await SubscribeAdminPartnerAsync(database, receiver.Url);
        await StackDatabase.ExecuteAsync(
            database,
            """
            CREATE FUNCTION refuse_outcome() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'outcome refused for the test'; END $$;
            CREATE TRIGGER refuse_outcome BEFORE UPDATE ON webhook_deliveries
                FOR EACH ROW WHEN (NEW.outcome = 'delivered') EXECUTE FUNCTION refuse_outcome();
            """);
        await using var worker = await ApiInstance.StartAsync(
            stack, new Dictionary<string, string> { ["Azora:Webhooks:PollInterval"] = "00:00:00.200" }, databaseConnectionString: database, paymentsWorker: true);

        await WriteEventAsync(database);
        var first = Assert.Single(await receiver.WaitForAsync(1));
        await Eventually.ReadAsync(() => Task.FromResult(worker.StandardOutput), output => output.Contains("outcomes not recorded"), attempts: 100, TimeSpan.FromMilliseconds(100));
        Assert.Contains("outcomes not recorded", worker.StandardOutput);
        // Still pending under the claim's lease: nobody sends it again meanwhile.
        Assert.Equal(1, await StackDatabase.CountAsync(database, "SELECT count(*) FROM webhook_deliveries WHERE outcome = 'pending' AND next_attempt_at > now()"));
        Assert.Single(receiver.Received);

        // Recording works again and the lease ends (as it would after Timeout + 30 s): the delivery is sent again, at
        // least once in all, and then recorded.
        await StackDatabase.ExecuteAsync(database, "DROP TRIGGER refuse_outcome ON webhook_deliveries; UPDATE webhook_deliveries SET next_attempt_at = now()");
        var again = await receiver.WaitForAsync(2);
        Assert.Equal(first.EventId, again[1].EventId);
        var delivered = await Eventually.ReadAsync(
            () => StackDatabase.CountAsync(database, "SELECT count(*) FROM webhook_deliveries WHERE outcome = 'delivered' AND attempt_count = 2"),
            count => count == 1, attempts: 100, TimeSpan.FromMilliseconds(100));
        Assert.Equal(1, delivered);
    }

    /// <summary>
    /// An admin partner subscribed to <paramref name="eventType"/> at <paramref name="url"/>, written straight into
    /// <paramref name="database"/> (no API, so no check of the URL); returns the subscription's id.
    /// </summary>
    private static async Task<Guid> SubscribeAdminPartnerAsync(string database, string url, string eventType = "course.enrolled")
    {
        var (owner, subscription) = (Guid.NewGuid(), Guid.NewGuid());
        await StackDatabase.ExecuteAsync(
            database,
            """
            INSERT INTO users (id, email, name, password_hash, roles, created_at, updated_at, password_changed_at)
            VALUES (@owner, @email, 'Partner', 'not-a-hash', ARRAY['admin'], now(), now(), now());
            INSERT INTO webhook_subscriptions (id, owner_id, url, events, secret, created_at, updated_at)
            VALUES (@subscription, @owner, @url, ARRAY[@eventType], 'whsec_' || md5(random()::text), now(), now());
            """,
            new { owner, email = $"partner-{owner:N}@example.com", subscription, url, eventType });
        return subscription;
    }

    private static Task WriteEventAsync(string database) => StackDatabase.ExecuteAsync(
        database,
        "INSERT INTO outbox_events (id, type, payload, occurred_at) VALUES (gen_random_uuid(), 'course.enrolled', '{}', now())");

    /// <summary>
    /// Until a connection of the relay's is listening (its last statement is the LISTEN), other than
    /// <paramref name="replacing"/>, and has been for a moment; returns its backend's process id.
    /// </summary>
    private static async Task<int> WaitForListenerAsync(string database, int replacing = 0)
    {
        var listener = await Eventually.ReadAsync(
            async () => int.Parse(await StackDatabase.ScalarAsync(
                database,
                "SELECT coalesce(max(pid), 0)::text FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN azora_relay' AND pid <> @replacing",
                new { replacing }) ?? "0", System.Globalization.CultureInfo.InvariantCulture),
            pid => pid != 0,
            attempts: 200,
            TimeSpan.FromMilliseconds(100));
        Assert.NotEqual(0, listener);
        // The relay makes one pass of its own once it listens (for what was written meanwhile); let it end first.
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        return listener;
    }

    [Fact]
    public async Task A_slow_receiver_times_out_and_the_attempt_is_made_again()
    {
        using var receiver = new WebhookReceiver();
        receiver.Answer(200, delay: TimeSpan.FromSeconds(5));
        using var client = stack.CreateApiClient();
        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");
        var id = (await SubscribeAsync(client, admin, receiver.Url, ["ping"])).GetProperty("id").GetString()!;

        using (await client.PostJsonAsync($"/api/webhooks/{id}/ping", new { }, admin.AccessToken))
        {
        }

        var delivered = await WaitForDeliveryAsync(client, admin, id, delivery => delivery.GetProperty("outcome").GetString() == "delivered");
        Assert.Equal(2, delivered.GetProperty("attemptCount").GetInt32());
        Assert.Equal(2, receiver.Received.Count);
    }

    [Fact]
    public async Task A_receiver_that_has_not_answered_yet_does_not_hold_back_the_next_events()
    {
        using var slow = new WebhookReceiver();
        using var fast = new WebhookReceiver();
        using var client = stack.CreateApiClient();
        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");
        var slowId = (await SubscribeAsync(client, admin, slow.Url, ["ping"])).GetProperty("id").GetString()!;
        var fastId = (await SubscribeAsync(client, admin, fast.Url, ["ping"])).GetProperty("id").GetString()!;
        var fastArrived = new TaskCompletionSource();
        // The slow receiver answers only once the fast one has its event, which it can only get while the slow
        // delivery is still open: if that delivery held the relay, it would end by the worker's timeout instead.
        slow.Hold(fastArrived.Task);
        using (await client.PostJsonAsync($"/api/webhooks/{slowId}/ping", new { }, admin.AccessToken))
        {
        }

        await slow.WaitForAsync(1);
        using (await client.PostJsonAsync($"/api/webhooks/{fastId}/ping", new { }, admin.AccessToken))
        {
        }

        await fast.WaitForAsync(1);
        fastArrived.SetResult();

        var slowDelivery = await WaitForDeliveryAsync(client, admin, slowId, delivery => delivery.GetProperty("outcome").GetString() != "pending");
        Assert.Equal("delivered", slowDelivery.GetProperty("outcome").GetString());
        Assert.Equal(1, slowDelivery.GetProperty("attemptCount").GetInt32());
        Assert.Single(slow.Received);
    }

    [Fact]
    public async Task A_slow_receiver_with_many_deliveries_due_leaves_sending_slots_for_the_others()
    {
        // More deliveries to the slow receiver than the relay has slots (16 here), each held open until the fast
        // receiver has its event: were they all sent at once, every slot would stay taken until the worker's timeout.
        // Alone, the slow subscription may use the slots beyond its share of 4, all but the 4 kept for the next ones due.
        const int slowDeliveries = 20;
        const int slots = 16, share = 4;
        using var slow = new WebhookReceiver();
        using var fast = new WebhookReceiver();
        using var client = stack.CreateApiClient();
        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");
        var slowId = (await SubscribeAsync(client, admin, slow.Url, ["ping"])).GetProperty("id").GetString()!;
        var fastId = (await SubscribeAsync(client, admin, fast.Url, ["ping"])).GetProperty("id").GetString()!;
        var fastArrived = new TaskCompletionSource();
        for (var i = 0; i < slowDeliveries; i++)
        {
            slow.Hold(fastArrived.Task);
            using (await client.PostJsonAsync($"/api/webhooks/{slowId}/ping", new { }, admin.AccessToken))
            {
            }
        }

        await slow.WaitForAsync(slots - share);
        using (await client.PostJsonAsync($"/api/webhooks/{fastId}/ping", new { }, admin.AccessToken))
        {
        }

        await fast.WaitForAsync(1);
        var openAtOnce = slow.Received.Count;
        fastArrived.SetResult();

        var subscription = new { id = Guid.Parse(slowId) };
        var delivered = await Eventually.ReadAsync(
            () => stack.CountAsync("SELECT count(*) FROM webhook_deliveries WHERE subscription_id = @id AND outcome = 'delivered'", subscription),
            count => count == slowDeliveries, attempts: 300, TimeSpan.FromMilliseconds(100));
        Assert.Equal(slowDeliveries, delivered);
        // Each at its first attempt: none of them was still waiting for a slot when the worker's timeout came.
        Assert.Equal(slowDeliveries, await stack.CountAsync("SELECT sum(attempt_count) FROM webhook_deliveries WHERE subscription_id = @id", subscription));
        Assert.Equal(slots - share, openAtOnce);
        Assert.Equal(slowDeliveries, slow.Received.Count);
    }

    [Fact]
    public async Task Successful_deliveries_to_one_subscription_record_their_outcomes_side_by_side()
    {
        // A burst to one partner ends in many outcomes at once: recording one must not wait for another's commit.
        using var client = stack.CreateApiClient();
        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");
        var id = Guid.Parse((await SubscribeAsync(client, admin, $"http://127.0.0.1:{WebhookReceiver.FreePort()}/hook", ["ping"])).GetProperty("id").GetString()!);
        await using var database = Npgsql.NpgsqlDataSource.Create(await stack.ConnectionStringAsync("azora"));
        var subscriptions = new WebhookSubscriptions(database);
        await using var first = await database.OpenConnectionAsync();
        await using var firstTransaction = await first.BeginTransactionAsync();
        await subscriptions.RecordDeliveryAsync(firstTransaction, id, delivered: true, error: null, TimeSpan.FromDays(3), CancellationToken.None);

        await using var second = await database.OpenConnectionAsync();
        await using var secondTransaction = await second.BeginTransactionAsync();
        await using (var noWaiting = new Npgsql.NpgsqlCommand("SET LOCAL lock_timeout = '1s'", second, secondTransaction))
        {
            await noWaiting.ExecuteNonQueryAsync();
        }

        // Before, both updated the subscription's row, and the second waited for the first until its lock timeout.
        await subscriptions.RecordDeliveryAsync(secondTransaction, id, delivered: true, error: null, TimeSpan.FromDays(3), CancellationToken.None);
        await secondTransaction.CommitAsync();
        await firstTransaction.CommitAsync();

        // A failure still starts the failing clock, and the next success stops it.
        async Task RecordAsync(bool delivered, string? error)
        {
            await using var connection = await database.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await subscriptions.RecordDeliveryAsync(transaction, id, delivered, error, TimeSpan.FromDays(3), CancellationToken.None);
            await transaction.CommitAsync();
        }

        await RecordAsync(delivered: false, "HTTP 500");
        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM webhook_subscriptions WHERE id = @id AND failing_since IS NOT NULL", new { id }));
        await RecordAsync(delivered: true, error: null);
        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM webhook_subscriptions WHERE id = @id AND failing_since IS NULL AND active", new { id }));
    }

    [Fact]
    public async Task A_subscription_failing_for_days_is_disabled_and_says_why()
    {
        using var client = stack.CreateApiClient();
        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");
        var id = (await SubscribeAsync(client, admin, $"http://127.0.0.1:{WebhookReceiver.FreePort()}/hook", ["ping"])).GetProperty("id").GetString()!;
        await stack.ExecuteAsync("UPDATE webhook_subscriptions SET failing_since = now() - interval '4 days' WHERE id = @id::uuid", new { id });

        using (await client.PostJsonAsync($"/api/webhooks/{id}/ping", new { }, admin.AccessToken))
        {
        }

        var subscription = await Eventually.ReadAsync(
            async () =>
            {
                using var response = await client.GetAsync($"/api/webhooks/{id}", admin.AccessToken);
                return await response.JsonAsync();
            },
            read => !read.GetProperty("active").GetBoolean(),
            attempts: 100,
            TimeSpan.FromMilliseconds(100));

        Assert.False(subscription.GetProperty("active").GetBoolean());
        Assert.StartsWith("Deliveries have failed since", subscription.GetProperty("disabledReason").GetString());

        using var reactivated = await client.SendJsonAsync(HttpMethod.Patch, $"/api/webhooks/{id}", new { active = true }, admin.AccessToken);
        var body = await reactivated.JsonAsync();
        Assert.True(body.GetProperty("active").GetBoolean());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("disabledReason").ValueKind);
    }

    [Fact]
    public async Task Redirects_are_not_followed()
    {
        using var receiver = new WebhookReceiver();
        using var target = new WebhookReceiver();
        receiver.Answer(302, location: target.Url);
        using var client = stack.CreateApiClient();
        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");
        var id = (await SubscribeAsync(client, admin, receiver.Url, ["ping"])).GetProperty("id").GetString()!;

        using (await client.PostJsonAsync($"/api/webhooks/{id}/ping", new { }, admin.AccessToken))
        {
        }

        var redirected = await WaitForDeliveryAsync(client, admin, id, delivery => delivery.GetProperty("lastStatusCode").ValueKind == JsonValueKind.Number);
        Assert.Equal(302, redirected.GetProperty("lastStatusCode").GetInt32());
        Assert.Contains("Redirects", redirected.GetProperty("lastError").GetString());
        Assert.Empty(target.Received);
    }

    [Fact]
    public async Task A_rotated_secret_keeps_the_old_one_valid_until_the_grace_period_ends()
    {
        using var receiver = new WebhookReceiver();
        using var client = stack.CreateApiClient();
        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");
        var subscription = await SubscribeAsync(client, admin, receiver.Url, ["ping"]);
        var id = subscription.GetProperty("id").GetString()!;
        var oldSecret = subscription.GetProperty("secret").GetString()!;

        var before = DateTimeOffset.UtcNow;
        using var rotated = await client.PostJsonAsync($"/api/webhooks/{id}/rotate-secret", new { }, admin.AccessToken);
        var after = DateTimeOffset.UtcNow;
        var body = await rotated.JsonAsync();
        var newSecret = body.GetProperty("secret").GetString()!;
        // The stack's Azora:Webhooks:SecretRotationGrace is 2 hours.
        Assert.InRange(body.GetProperty("previousSecretValidUntil").GetDateTimeOffset(), before.AddHours(2).AddSeconds(-1), after.AddHours(2).AddSeconds(1));
        using (await client.PostJsonAsync($"/api/webhooks/{id}/ping", new { }, admin.AccessToken))
        {
        }

        var during = (await receiver.WaitForAsync(1)).Last();
        Assert.True(WebhookReceiver.Verifies(during, newSecret));
        Assert.True(WebhookReceiver.Verifies(during, oldSecret));

        // The grace period runs out (moved into the past rather than waited for).
        await stack.ExecuteAsync("UPDATE webhook_subscriptions SET previous_secret_expires_at = now() - interval '1 second' WHERE id = @id::uuid", new { id });
        using (await client.PostJsonAsync($"/api/webhooks/{id}/ping", new { }, admin.AccessToken))
        {
        }

        var expired = (await receiver.WaitForAsync(2)).Last();
        Assert.True(WebhookReceiver.Verifies(expired, newSecret));
        Assert.False(WebhookReceiver.Verifies(expired, oldSecret));
    }

    [Theory]
    [InlineData("http://10.0.0.1/hook")]
    [InlineData("http://169.254.169.254/latest/meta-data")]
    [InlineData("http://192.168.1.10/hook")]
    [InlineData("http://[fd00::1]/hook")]
    [InlineData("http://0.0.0.0/hook")]
    [InlineData("ftp://example.com/hook")]
    [InlineData("/relative")]
    [InlineData("http://user:pass@127.0.0.1/hook")]
    public async Task Internal_and_malformed_targets_are_refused_at_subscription(string url)
    {
        using var client = stack.CreateApiClient();
        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");

        using var response = await client.PostJsonAsync("/api/webhooks", new { url, events = new[] { "ping" } }, admin.AccessToken);

        await ProblemAssert.IsValidationProblemAsync(response, "url");
    }

    [Fact]
    public async Task Outside_development_only_https_to_public_addresses_is_allowed()
    {
        using var key = RSA.Create(2048);
        await using var api = await ApiInstance.StartAsync(stack, new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Azora:Auth:SigningKeys:0:Pem"] = key.ExportPkcs8PrivateKeyPem(),
        });
        var admin = await TestRoles.SignInAsAsync(stack, api.Client, "admin");

        foreach (var url in new[] { "http://127.0.0.1:9/hook", "https://127.0.0.1/hook", "https://localhost/hook", "http://example.com/hook" })
        {
            using var response = await api.Client.PostJsonAsync("/api/webhooks", new { url, events = new[] { "ping" } }, admin.AccessToken);
            await ProblemAssert.IsValidationProblemAsync(response, "url");
        }
    }

    [Fact]
    public async Task Subscriptions_are_private_to_their_owner_and_learners_cannot_subscribe()
    {
        using var client = stack.CreateApiClient();
        var owner = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var other = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var learner = await TestAccounts.RegisterAsync(client);
        var id = (await SubscribeAsync(client, owner, "http://127.0.0.1:9/hook", ["course.completed"])).GetProperty("id").GetString();

        foreach (var (method, path) in new[] { (HttpMethod.Get, $"/api/webhooks/{id}"), (HttpMethod.Delete, $"/api/webhooks/{id}"), (HttpMethod.Post, $"/api/webhooks/{id}/rotate-secret"), (HttpMethod.Get, $"/api/webhooks/{id}/deliveries") })
        {
            using var response = await client.SendJsonAsync(method, path, method == HttpMethod.Post ? new { } : null, other.AccessToken);
            await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "NOT_FOUND");
        }

        using (var byLearner = await client.PostJsonAsync("/api/webhooks", new { url = "http://127.0.0.1:9/hook", events = new[] { "ping" } }, learner.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(byLearner, HttpStatusCode.Forbidden, "FORBIDDEN");
        }

        using (var unknownEvent = await client.PostJsonAsync("/api/webhooks", new { url = "http://127.0.0.1:9/hook", events = new[] { "user.teleported" } }, owner.AccessToken))
        {
            await ProblemAssert.IsValidationProblemAsync(unknownEvent, "events");
        }

        using var listed = await client.GetAsync("/api/webhooks", owner.AccessToken);
        var mine = (await listed.JsonAsync()).EnumerateArray().ToList();
        Assert.Single(mine);
        Assert.False(mine[0].TryGetProperty("secret", out _), "a listed subscription must not carry its secret");
    }

    [Fact]
    public async Task Deleting_a_subscription_while_the_relay_records_an_attempt_waits_instead_of_deadlocking()
    {
        using var receiver = new WebhookReceiver();
        using var client = stack.CreateApiClient();
        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");
        var id = (await SubscribeAsync(client, admin, receiver.Url, ["ping"])).GetProperty("id").GetString()!;
        using (await client.PostJsonAsync($"/api/webhooks/{id}/ping", new { }, admin.AccessToken))
        {
        }

        await WaitForDeliveryAsync(client, admin, id, delivery => delivery.GetProperty("outcome").GetString() == "delivered");

        // What the relay's RecordAsync does, held open: the delivery row first, then (below) the subscription row.
        await using var relay = new Npgsql.NpgsqlConnection(await stack.ConnectionStringAsync("azora"));
        await relay.OpenAsync();
        await using var recording = await relay.BeginTransactionAsync();
        await Dapper.SqlMapper.ExecuteAsync(relay, "UPDATE webhook_deliveries SET updated_at = now() WHERE subscription_id = @id::uuid", new { id }, recording);

        var deleting = client.SendJsonAsync(HttpMethod.Delete, $"/api/webhooks/{id}", null, admin.AccessToken);
        // Watched from another connection: inside a transaction pg_stat_activity is one snapshot.
        await using var watcher = new Npgsql.NpgsqlConnection(await stack.ConnectionStringAsync("azora"));
        var blocked = await Eventually.ReadAsync(
            async () => await Dapper.SqlMapper.ExecuteScalarAsync<long>(
                watcher, "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'DELETE FROM webhook_%'"),
            count => count > 0, attempts: 100, TimeSpan.FromMilliseconds(100));
        Assert.True(blocked > 0, "the DELETE never waited for the relay's lock");

        // With the locks taken the other way round, PostgreSQL aborts one of the two here (40P01).
        await Dapper.SqlMapper.ExecuteAsync(relay, "UPDATE webhook_subscriptions SET updated_at = now() WHERE id = @id::uuid", new { id }, recording);
        await recording.CommitAsync();

        using var deleted = await deleting;
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
    }

    /// <summary>A subscription's one delivery as the worker left it; the delay is next_attempt_at - updated_at.</summary>
    private async Task<(int Attempts, string Outcome, double? DelaySeconds)> ScheduleAsync(string subscriptionId)
    {
        await using var connection = new Npgsql.NpgsqlConnection(await stack.ConnectionStringAsync("azora"));
        return await Dapper.SqlMapper.QuerySingleAsync<(int, string, double?)>(
            connection,
            "SELECT attempt_count, outcome, extract(epoch FROM next_attempt_at - updated_at)::float8 FROM webhook_deliveries WHERE subscription_id = @id::uuid",
            new { id = subscriptionId });
    }

    private static async Task<JsonElement> SubscribeAsync(HttpClient client, SignedIn owner, string url, string[] events)
    {
        using var response = await client.PostJsonAsync("/api/webhooks", new { url, events, description = "test" }, owner.AccessToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.JsonAsync();
    }

    private static async Task<JsonElement> WaitForDeliveryAsync(HttpClient client, SignedIn owner, string subscriptionId, Func<JsonElement, bool> condition)
    {
        var last = await Eventually.ReadAsync(
            async () =>
            {
                using var response = await client.GetAsync($"/api/webhooks/{subscriptionId}/deliveries", owner.AccessToken);
                return (await response.JsonAsync()).GetProperty("data").EnumerateArray().Cast<JsonElement?>().FirstOrDefault();
            },
            read => read is { } delivery && condition(delivery),
            attempts: 200,
            TimeSpan.FromMilliseconds(100));
        if (last is { } reached && condition(reached))
        {
            return reached;
        }

        throw new TimeoutException("The delivery never reached the expected state; last: " + last);
    }
}
