using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using Azora.Contract.Events;
using Azora.Contract.Webhooks;
using Azora.Payments.Receipts;
using Azora.ServiceDefaults;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Azora.Payments.Webhooks;

/// <summary>Settings under <c>Azora:Webhooks</c> for the worker.</summary>
public sealed class WebhookDeliveryOptions
{
    public const string Section = "Azora:Webhooks";

    /// <summary>
    /// The safety net: how often the relay looks for work when nothing woke it. A committed outbox event or queued
    /// ping wakes it at once through PostgreSQL's NOTIFY (<see cref="ListenForNotifications"/>), and a retry wakes it
    /// when it is due, so this only bounds the delay of a notification that was missed.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// LISTEN for the outbox's notifications on one dedicated connection. It needs a session of its own on PostgreSQL,
    /// so it uses <c>ConnectionStrings:azora-direct</c> when given (the clusters' services reach PostgreSQL through
    /// PgBouncer in transaction mode, which drops LISTEN); off, the relay only polls, so lower <see cref="PollInterval"/> too.
    /// </summary>
    public bool ListenForNotifications { get; set; } = true;

    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(30);
    public TimeSpan MaximumRetryDelay { get; set; } = TimeSpan.FromHours(4);

    /// <summary>With the delays above, 14 attempts spread over about a day.</summary>
    [Range(1, 100)]
    public int MaximumAttempts { get; set; } = 14;

    /// <summary>A subscription whose deliveries have failed without a success for this long is disabled.</summary>
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(3);

    /// <summary>Deliveries claimed at once.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>Deliveries sent at once; a slow receiver holds one of these for up to <see cref="Timeout"/>.</summary>
    [Range(1, 256)]
    public int Parallelism { get; set; } = 16;

    /// <summary>
    /// One subscription's share of the <see cref="Parallelism"/> slots: it always gets up to this many at once, and more
    /// only with slots no other subscription's due deliveries claimed, leaving this many free. So a receiver that is slow
    /// to answer, with many deliveries due, never takes the slots the others' next deliveries need, while a lone
    /// subscription with a burst due still uses most of them.
    /// </summary>
    [Range(1, 256)]
    public int ParallelismPerSubscription { get; set; } = 4;
}

/// <summary>
/// Turns outbox events into deliveries for matching subscriptions, and delivers them: POST of the event envelope,
/// signed <c>Azora-Signature: t=…,v1=HMAC-SHA256(secret, "t.body")</c> (also with the previous secret during its
/// grace period), retried with exponential backoff and jitter, at least once and in no particular order. Rows are
/// claimed with <c>FOR UPDATE SKIP LOCKED</c> and a lease, so several workers never send the same attempt; a worker
/// that dies mid-send leaves the attempt to be made again when the lease ends. A committed outbox event or queued ping
/// wakes the relay through PostgreSQL's NOTIFY (<see cref="Channel"/>); it also wakes when the next retry is due, and
/// polls every <see cref="WebhookDeliveryOptions.PollInterval"/> in case a notification was missed.
/// </summary>
public sealed class WebhookRelay : BackgroundService
{
    private readonly NpgsqlDataSource _database;
    private readonly NpgsqlDataSource _listenDatabase;
    private readonly WebhookSubscriptions _subscriptions;
    private readonly PaymentMails _paymentMails;
    private readonly WebhookDeliveryOptions _options;
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookRelay> _logger;
    private readonly Counter<long> _attempts;

    public WebhookRelay(
        NpgsqlDataSource database, DirectDatabase direct, WebhookSubscriptions subscriptions, PaymentMails paymentMails, IOptions<WebhookDeliveryOptions> options,
        WebhookTargetGuard targets, TimeProvider time, IMeterFactory meters, ILogger<WebhookRelay> logger)
    {
        _database = database;
        _listenDatabase = direct.DataSource;
        _subscriptions = subscriptions;
        _paymentMails = paymentMails;
        _options = options.Value;
        _slots = new SemaphoreSlim(_options.Parallelism, _options.Parallelism);
        _time = time;
        _logger = logger;
        _http = new HttpClient(targets.CreateHandler()) { Timeout = _options.Timeout };
        _http.DefaultRequestHeaders.UserAgent.ParseAdd("Azora-Webhooks/1.0");
        _attempts = meters.Create("Azora.Payments").CreateCounter<long>(
            "azora.webhooks.delivery_attempts", description: "Webhook delivery attempts by outcome: delivered, retry, failed.");
    }

    /// <summary>Outbox events handed on in one transaction.</summary>
    public const int FanOutBatch = 200;

    /// <summary>The channel migration 0014's triggers NOTIFY on.</summary>
    public const string Channel = "azora_relay";

    private static readonly TimeSpan ListenHeartbeat = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan ListenRetryPause = TimeSpan.FromSeconds(2);

    /// <summary>The shortest wait between passes, so a due row that another worker holds locked is not polled in a tight loop.</summary>
    private static readonly TimeSpan ShortestWait = TimeSpan.FromMilliseconds(20);

    // Holds at most one wake-up: notifications that arrive during a pass cost one more pass, not one each.
    private readonly SemaphoreSlim _wake = new(0, 1);

    // Set by a notification, a poll or a fan-out that filled its batch: only then can the outbox hold events to hand on,
    // so the passes that sends' ends start skip that query.
    private int _eventsWaiting = 1;

    // What sends found out, recorded in batches by RecordOutcomesAsync: one transaction for many deliveries, where one
    // per delivery made its commit (and its round trips) most of a delivery's cost.
    private readonly Channel<Outcome> _outcomes = System.Threading.Channels.Channel.CreateUnbounded<Outcome>(new UnboundedChannelOptions { SingleReader = true });
    private const int MostOutcomesRecordedAtOnce = 500;

    // Sends run beside the passes, at most Parallelism at once: a slow receiver holds one slot for up to Timeout, never
    // the pass, so new events are fanned out and other receivers served meanwhile.
    private readonly ConcurrentDictionary<Guid, Task> _sending = new();
    private readonly ConcurrentDictionary<Guid, int> _sendingBySubscription = new();
    private readonly SemaphoreSlim _slots;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var listener = _options.ListenForNotifications ? ListenAsync(stoppingToken) : Task.CompletedTask;
        var recorder = RecordOutcomesAsync();
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = _options.PollInterval;
            try
            {
                // New events and due deliveries alternate until both are drained, so a burst is handed on in one go;
                // a claim that got fewer deliveries than it had slots for found all there was for now.
                int fannedOut;
                (int Claimed, int Wanted) sent;
                do
                {
                    fannedOut = Interlocked.Exchange(ref _eventsWaiting, 0) == 1 ? await FanOutWaitingAsync(stoppingToken) : 0;
                    sent = await ClaimAndSendAsync(stoppingToken);
                }
                while (fannedOut > 0 || (sent.Claimed > 0 && sent.Claimed == sent.Wanted));

                if (await NextAttemptInAsync(stoppingToken) is { } due && due < wait)
                {
                    wait = due < ShortestWait ? ShortestWait : due;
                }
            }
            catch (NpgsqlException ex)
            {
                _logger.LogWarning(ex, "Webhook relay pass failed; the next one retries");
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }

            try
            {
                if (!await _wake.WaitAsync(wait, stoppingToken))
                {
                    // Nothing woke it (the poll, or a retry's time): the outbox is read too, in case a notification was missed.
                    _eventsWaiting = 1;
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        await listener;
        // Sends in flight finish (or are cancelled), then what they found out is recorded; the others' leases bring them back.
        await Task.WhenAll(_sending.Values);
        _outcomes.Writer.Complete();
        await recorder;
    }

    /// <summary>Fans out; while it fails, the next pass tries again.</summary>
    private async Task<int> FanOutWaitingAsync(CancellationToken cancellationToken)
    {
        try
        {
            var fannedOut = await FanOutAsync(cancellationToken);
            if (fannedOut == FanOutBatch)
            {
                _eventsWaiting = 1;
            }

            return fannedOut;
        }
        catch
        {
            _eventsWaiting = 1;
            throw;
        }
    }

    /// <summary>Wakes the relay for events the outbox may now hold (a notification, or a listener that reconnected).</summary>
    private void WakeForEvents()
    {
        _eventsWaiting = 1;
        Wake();
    }

    private void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // A wake-up is already pending.
        }
    }

    /// <summary>
    /// LISTENs on <see cref="Channel"/> on a connection of its own and wakes the relay on every notification; after a
    /// failure it reconnects (the poll covers the gap) and wakes the relay once, for anything written meanwhile.
    /// </summary>
    private async Task ListenAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Straight to PostgreSQL (ConnectionStrings:azora-direct when given): PgBouncer in transaction mode drops LISTEN.
                await using var connection = await _listenDatabase.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, _) => WakeForEvents();
                await using var listen = new NpgsqlCommand($"LISTEN {Channel}", connection) { CommandTimeout = (int)ListenHeartbeat.TotalSeconds };
                await listen.ExecuteNonQueryAsync(stoppingToken);
                WakeForEvents();
                while (!stoppingToken.IsCancellationRequested)
                {
                    // A quiet connection is probed (LISTEN again changes nothing), so a dead one is noticed within a
                    // heartbeat and replaced.
                    if (!await connection.WaitAsync(ListenHeartbeat, stoppingToken))
                    {
                        await listen.ExecuteNonQueryAsync(stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "Webhook relay notifications unavailable; it polls every {PollInterval} until they return", _options.PollInterval);
            }

            try
            {
                await Task.Delay(ListenRetryPause, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>How long until the earliest pending delivery of an active subscription is due; null when there is none.</summary>
    private async Task<TimeSpan?> NextAttemptInAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        var seconds = await connection.ExecuteScalarAsync<double?>(new CommandDefinition(
            """
            SELECT extract(epoch FROM min(d.next_attempt_at) - now())::float8 FROM webhook_deliveries d
            JOIN webhook_subscriptions s ON s.id = d.subscription_id AND s.active
            WHERE d.outcome = 'pending'
            """,
            cancellationToken: cancellationToken));
        return seconds is { } value ? TimeSpan.FromSeconds(Math.Max(0, value)) : null;
    }

    /// <summary>
    /// Hands on a batch of undispatched outbox events in one transaction: deliveries for the active subscriptions that
    /// list them and may receive them (<see cref="EventAudience"/>: admins every event, an instructor the events whose
    /// payload names them), the learner's mail about payments (<see cref="PaymentMails"/>), then the events marked
    /// dispatched. Either all of it is committed or none, so an event is never mailed without being marked, or the reverse.
    /// </summary>
    /// <returns>How many events it handed on, at most <see cref="FanOutBatch"/>.</returns>
    public async Task<int> FanOutAsync(CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var batch = (await connection.QueryAsync<ClaimedEvent>(new CommandDefinition(
            """
            SELECT id AS Id, type AS Type, payload::text AS Payload, occurred_at AS OccurredAt FROM outbox_events
            WHERE dispatched_at IS NULL ORDER BY occurred_at LIMIT @batch FOR UPDATE SKIP LOCKED
            """,
            new { batch = FanOutBatch }, transaction, cancellationToken: cancellationToken))).Select(claimed => claimed.ToOutboxEvent()).ToList();
        if (batch.Count == 0)
        {
            return 0;
        }

        var ids = batch.Select(@event => @event.Id).ToArray();
        // The deliveries inserted here must not NOTIFY this relay again (migration 0014): it sends them in this pass.
        await connection.ExecuteAsync(new CommandDefinition(
            """
            SET LOCAL azora.relay_fan_out = 'on';
            INSERT INTO webhook_deliveries (id, subscription_id, event_id, event_type, envelope, next_attempt_at, created_at, updated_at)
            SELECT gen_random_uuid(), s.id, e.id, e.type,
                   jsonb_build_object('id', e.id, 'type', e.type, 'createdAt', e.occurred_at, 'data', e.payload), now(), now(), now()
            FROM outbox_events e
            JOIN webhook_subscriptions s ON s.active AND e.type = ANY (s.events)
            JOIN users u ON u.id = s.owner_id AND u.disabled_at IS NULL
            WHERE e.id = ANY (@ids)
              AND ('admin' = ANY (u.roles) OR (e.type = ANY (@instructorEvents) AND e.payload ->> @instructorField = s.owner_id::text))
            ON CONFLICT DO NOTHING
            """,
            new { ids, instructorEvents = AzoraEvents.ForCourseInstructor, instructorField = AzoraEvents.InstructorField },
            transaction, cancellationToken: cancellationToken));
        await _paymentMails.WriteAsync(transaction, batch, cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE outbox_events SET dispatched_at = now() WHERE id = ANY (@ids)", new { ids }, transaction, cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return batch.Count;
    }

    /// <summary>
    /// Claims as many due deliveries as there are free sending slots and starts sending them; returns how many it
    /// started and how many it had slots for. A send that ends wakes the relay for the deliveries that waited for slots
    /// (<see cref="SendInSlotAsync"/>).
    /// </summary>
    private async Task<(int Claimed, int Wanted)> ClaimAndSendAsync(CancellationToken cancellationToken)
    {
        var free = Math.Min(_slots.CurrentCount, _options.BatchSize);
        if (free == 0)
        {
            return (0, 0);
        }

        // Each subscription first gets what is left of its share (counting its deliveries in flight); slots beyond its
        // share only from those nobody else claimed, and never the last share's worth, kept for the next deliveries due.
        var busy = _sendingBySubscription.ToArray();
        List<Due> due;
        await using (var connection = await _database.OpenConnectionAsync(cancellationToken))
        {
            due = (await connection.QueryAsync<Due>(new CommandDefinition(
                """
                WITH candidates AS (
                    SELECT w.id, w.subscription_id, w.next_attempt_at
                    FROM webhook_deliveries w JOIN webhook_subscriptions ws ON ws.id = w.subscription_id AND ws.active
                    WHERE w.outcome = 'pending' AND w.next_attempt_at <= now()
                    ORDER BY w.next_attempt_at LIMIT @scan FOR UPDATE OF w SKIP LOCKED),
                ranked AS (
                    SELECT c.id, c.next_attempt_at,
                           row_number() OVER (PARTITION BY c.subscription_id ORDER BY c.next_attempt_at) + coalesce(b.sending, 0) > @perSubscription AS beyond
                    FROM candidates c LEFT JOIN unnest(@busyIds, @busyCounts) AS b (subscription_id, sending) ON b.subscription_id = c.subscription_id),
                picked AS (
                    SELECT id, beyond, row_number() OVER (ORDER BY beyond, next_attempt_at) AS n FROM ranked)
                UPDATE webhook_deliveries d
                SET attempt_count = d.attempt_count + 1, next_attempt_at = now() + @lease, updated_at = now()
                FROM webhook_subscriptions s
                WHERE s.id = d.subscription_id
                  AND d.id IN (SELECT id FROM picked WHERE n <= CASE WHEN beyond THEN @batch - @perSubscription ELSE @batch END)
                RETURNING d.id AS Id, d.event_id AS EventId, d.event_type AS EventType, d.envelope::text AS Envelope, d.attempt_count AS Attempt,
                          s.id AS SubscriptionId, s.url AS Url, s.secret AS Secret,
                          CASE WHEN s.previous_secret_expires_at > now() THEN s.previous_secret END AS PreviousSecret
                """,
                new
                {
                    lease = _options.Timeout + TimeSpan.FromSeconds(30),
                    batch = free,
                    scan = 4 * Math.Max(free, _options.ParallelismPerSubscription),
                    perSubscription = _options.ParallelismPerSubscription,
                    busyIds = busy.Select(entry => entry.Key).ToArray(),
                    busyCounts = busy.Select(entry => (long)entry.Value).ToArray(),
                },
                cancellationToken: cancellationToken))).AsList();
        }

        foreach (var delivery in due)
        {
            // Only this loop takes slots, and it claimed no more than were free: this never waits.
            await _slots.WaitAsync(cancellationToken);
            _sendingBySubscription.AddOrUpdate(delivery.SubscriptionId, 1, (_, sending) => sending + 1);
            var sending = SendInSlotAsync(delivery, cancellationToken);
            _sending[delivery.Id] = sending;
            if (sending.IsCompleted)
            {
                // It ended before it was listed: its own removal came too early.
                _sending.TryRemove(delivery.Id, out _);
            }
        }

        return (due.Count, free);
    }

    private async Task SendInSlotAsync(Due delivery, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Yield();
            _outcomes.Writer.TryWrite(await SendAsync(delivery, cancellationToken));
        }
        catch (Exception ex)
        {
            // Sent or not, the outcome is not recorded: the delivery is due again when its lease ends.
            _logger.LogWarning(ex, "Webhook delivery {DeliveryId}: outcome not recorded; it is attempted again when its lease ends", delivery.Id);
        }
        finally
        {
            // The slot is free once the receiver has answered: the lease keeps the delivery from being claimed again
            // until its outcome is recorded.
            _sending.TryRemove(delivery.Id, out _);
            var stillSending = _sendingBySubscription.AddOrUpdate(delivery.SubscriptionId, 0, (_, sending) => sending - 1);
            if (stillSending <= 0)
            {
                _sendingBySubscription.TryRemove(KeyValuePair.Create(delivery.SubscriptionId, 0));
            }

            _slots.Release();
            // A pass per ended send cost more than the sends themselves in a burst: the relay wakes when this
            // subscription is below its share again, or when enough slots beyond the reserved share are free to claim
            // several at once. A subscription with more due also wakes it every ShortestWait.
            if (stillSending < _options.ParallelismPerSubscription || _slots.CurrentCount >= _options.ParallelismPerSubscription + ClaimStep)
            {
                Wake();
            }
        }
    }

    private int ClaimStep => Math.Max(1, (_options.Parallelism - _options.ParallelismPerSubscription) / 4);

    private async Task<Outcome> SendAsync(Due delivery, CancellationToken cancellationToken)
    {
        int? status = null;
        string? error = null;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Url)
            {
                Content = new StringContent(delivery.Envelope, Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("Azora-Signature", Signature(delivery));
            request.Headers.Add("Azora-Event-Id", delivery.EventId.ToString());
            request.Headers.Add("Azora-Event-Type", delivery.EventType);
            request.Headers.Add("Azora-Delivery-Id", delivery.Id.ToString());
            using var response = await _http.SendAsync(request, cancellationToken);
            status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                error = (int)response.StatusCode is >= 300 and < 400 ? "Redirects are not followed." : $"HTTP {(int)response.StatusCode}";
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            error = ex is TaskCanceledException ? $"No answer within {_options.Timeout.TotalSeconds:0} s." : ex.Message;
        }

        var delivered = error is null;
        var final = !delivered && delivery.Attempt >= _options.MaximumAttempts;
        _attempts.Add(1, new KeyValuePair<string, object?>("outcome", delivered ? "delivered" : final ? "failed" : "retry"));
        return new Outcome(delivery.Id, delivery.SubscriptionId, delivered, final, status, error, RetryDelay(delivery.Attempt));
    }

    /// <summary>
    /// Records what the sends found out, as many as have ended at once, each batch in one transaction; until the
    /// writer is completed at shutdown. A batch that cannot be recorded is attempted again when its leases end.
    /// </summary>
    private async Task RecordOutcomesAsync()
    {
        var batch = new List<Outcome>();
        while (await _outcomes.Reader.WaitToReadAsync())
        {
            while (batch.Count < MostOutcomesRecordedAtOnce && _outcomes.Reader.TryRead(out var outcome))
            {
                batch.Add(outcome);
            }

            try
            {
                // Not cancelled at shutdown: the receivers have their events, so their outcomes are worth the wait.
                await RecordAsync(batch, CancellationToken.None);
                if (batch.Exists(outcome => outcome is { Delivered: false, Final: false }))
                {
                    // A retry may now be due sooner than the relay's next pass.
                    Wake();
                }
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "{Count} webhook delivery outcomes not recorded; they are attempted again when their leases end", batch.Count);
            }

            batch.Clear();
        }
    }

    /// <summary>
    /// The deliveries' rows first, then their subscriptions' in the order of their ids, as the API's deletes take
    /// them, so neither waits for the other in a circle.
    /// </summary>
    private async Task RecordAsync(List<Outcome> batch, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE webhook_deliveries d SET
                outcome = CASE WHEN o.delivered THEN 'delivered' WHEN o.final THEN 'failed' ELSE 'pending' END,
                next_attempt_at = CASE WHEN o.delivered OR o.final THEN NULL ELSE now() + o.delay END,
                last_status_code = o.status, last_error = o.error, updated_at = now(),
                delivered_at = CASE WHEN o.delivered THEN now() END
            FROM unnest(@ids, @delivered, @final, @statuses, @errors, @delays) AS o (id, delivered, final, status, error, delay)
            WHERE d.id = o.id
            """,
            new
            {
                ids = batch.ConvertAll(outcome => outcome.DeliveryId).ToArray(),
                delivered = batch.ConvertAll(outcome => outcome.Delivered).ToArray(),
                final = batch.ConvertAll(outcome => outcome.Final).ToArray(),
                statuses = batch.ConvertAll(outcome => outcome.Status).ToArray(),
                errors = batch.ConvertAll(outcome => outcome.Error).ToArray(),
                delays = batch.ConvertAll(outcome => outcome.RetryDelay).ToArray(),
            },
            transaction, cancellationToken: cancellationToken));

        // Per subscription, in the order the sends ended: a success clears its failing streak, and a failure after
        // the last success starts one.
        foreach (var subscription in batch.GroupBy(outcome => outcome.SubscriptionId).OrderBy(group => group.Key))
        {
            if (subscription.Any(outcome => outcome.Delivered))
            {
                await _subscriptions.RecordDeliveryAsync(transaction, subscription.Key, delivered: true, error: null, _options.DisableAfter, cancellationToken);
            }

            if (subscription.Last() is { Delivered: false } failed)
            {
                await _subscriptions.RecordDeliveryAsync(transaction, subscription.Key, delivered: false, failed.Error, _options.DisableAfter, cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>Doubling from the first delay up to the maximum, with ±20% jitter so failed receivers are not hit in step.</summary>
    public TimeSpan RetryDelay(int attempt)
    {
        var doubled = _options.FirstRetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = Math.Min(doubled, _options.MaximumRetryDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.8 + 0.4 * Random.Shared.NextDouble()));
    }

    private string Signature(Due delivery)
    {
        var timestamp = _time.GetUtcNow().ToUnixTimeSeconds();
        var signed = Encoding.UTF8.GetBytes($"{timestamp}.{delivery.Envelope}");
        var header = $"t={timestamp},v1={Hex(delivery.Secret, signed)}";
        return delivery.PreviousSecret is null ? header : $"{header},v1={Hex(delivery.PreviousSecret, signed)}";
    }

    private static string Hex(string secret, byte[] signed) =>
        Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed)).ToLowerInvariant();

    public override void Dispose()
    {
        _http.Dispose();
        _wake.Dispose();
        _slots.Dispose();
        base.Dispose();
    }

    private sealed class ClaimedEvent
    {
        public Guid Id { get; init; }
        public string Type { get; init; } = "";
        public string Payload { get; init; } = "";
        public DateTime OccurredAt { get; init; }

        public OutboxEvent ToOutboxEvent() =>
            new(Id, Type, JsonSerializer.Deserialize<JsonElement>(Payload), new DateTimeOffset(DateTime.SpecifyKind(OccurredAt, DateTimeKind.Utc)));
    }

    private sealed record Outcome(Guid DeliveryId, Guid SubscriptionId, bool Delivered, bool Final, int? Status, string? Error, TimeSpan RetryDelay);

    private sealed class Due
    {
        public Guid Id { get; init; }
        public Guid EventId { get; init; }
        public string EventType { get; init; } = "";
        public string Envelope { get; init; } = "";
        public int Attempt { get; init; }
        public Guid SubscriptionId { get; init; }
        public string Url { get; init; } = "";
        public string Secret { get; init; } = "";
        public string? PreviousSecret { get; init; }
    }
}
