using System.ComponentModel.DataAnnotations;
using System.Threading.Channels;
using Azora.Contract.Payments;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Azora.Payments.Stripe;

/// <summary>Settings under <c>Azora:Payments:StripeEvents</c>: how verified Stripe events are written.</summary>
public sealed class StripeEventWriterOptions
{
    public const string Section = "Azora:Payments:StripeEvents";

    /// <summary>
    /// The most events one transaction applies. Events that arrive while a transaction is being written wait and go
    /// together in the next one, so under load one commit serves many events; alone, an event is written at once.
    /// 1 = one transaction per event.
    /// </summary>
    [Range(1, 1000)]
    public int MaximumBatch { get; set; } = 64;

    /// <summary>
    /// Writers working at once, each on its own connection. The events of one payment always go to the same writer,
    /// in the order they were received.
    /// </summary>
    [Range(1, 16)]
    public int Writers { get; set; } = 2;
}

/// <summary>
/// Group commit for Stripe events: the webhook endpoint hands each verified event to a writer and answers once the
/// transaction holding it has committed (so Stripe gets a 2xx only for an event that is applied). Each writer takes
/// whatever events are waiting, up to <see cref="StripeEventWriterOptions.MaximumBatch"/>, and applies them in one
/// transaction, in a fixed number of statements (<see cref="PaymentLedger.RecordAndApplyAsync"/>), each exactly as
/// alone: the event id recorded (a redelivery, also one inside the same batch, is a duplicate and changes nothing),
/// the payment moved, its enrollment and outbox events written. If anything in a batch fails, the whole transaction is rolled back and every event of it is applied
/// again in a transaction of its own, so one bad event neither loses nor doubles the others; the one that fails alone
/// gets a 500 and Stripe delivers it again.
/// </summary>
public sealed class StripeEventWriter : BackgroundService
{
    private readonly NpgsqlDataSource _database;
    private readonly PaymentLedger _ledger;
    private readonly PaymentsMetrics _metrics;
    private readonly ILogger<StripeEventWriter> _logger;
    private readonly StripeEventWriterOptions _options;
    private readonly Channel<Pending>[] _queues;

    public StripeEventWriter(
        NpgsqlDataSource database, PaymentLedger ledger, PaymentsMetrics metrics, IOptions<StripeEventWriterOptions> options, ILogger<StripeEventWriter> logger)
    {
        _database = database;
        _ledger = ledger;
        _metrics = metrics;
        _logger = logger;
        _options = options.Value;
        // Bounded, so a flood waits in the HTTP requests (and Stripe's timeouts) instead of in this process's memory.
        _queues = [.. Enumerable.Range(0, _options.Writers).Select(_ => Channel.CreateBounded<Pending>(
            new BoundedChannelOptions(4 * _options.MaximumBatch) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait }))];
    }

    /// <summary>
    /// Applies the event, batched with others; completes with its outcome (<c>applied</c>, <c>unchanged</c>,
    /// <c>unknown_payment</c>, <c>ignored</c> or <c>duplicate</c>) once that is committed. Throws when it could not be
    /// applied, or <see cref="ChannelClosedException"/> when the worker is stopping.
    /// </summary>
    public async Task<string> ApplyAsync(StripeEventChange stripeEvent, CancellationToken cancellationToken)
    {
        var pending = new Pending(stripeEvent, new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));
        // One payment's events always share a writer, so they are applied in the order they came in.
        var key = stripeEvent.PaymentIntentId ?? stripeEvent.EventId;
        var queue = _queues[(int)((uint)StringComparer.Ordinal.GetHashCode(key) % (uint)_queues.Length)];
        await queue.Writer.WriteAsync(pending, cancellationToken);
        // A request that goes away does not take its event back: it is applied, and Stripe's retry finds a duplicate.
        return await pending.Outcome.Task.WaitAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(_queues.Select(queue => WriteAsync(queue, stoppingToken)));

    private async Task WriteAsync(Channel<Pending> queue, CancellationToken stoppingToken)
    {
        var batch = new List<Pending>(_options.MaximumBatch);
        try
        {
            while (await queue.Reader.WaitToReadAsync(stoppingToken))
            {
                await DrainAsync(queue, batch);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        // Stopping: take no more events (the endpoint answers 503 and Stripe retries), and write those already accepted.
        queue.Writer.TryComplete();
        while (queue.Reader.TryPeek(out _))
        {
            await DrainAsync(queue, batch);
        }
    }

    private async Task DrainAsync(Channel<Pending> queue, List<Pending> batch)
    {
        batch.Clear();
        while (batch.Count < _options.MaximumBatch && queue.Reader.TryRead(out var pending))
        {
            batch.Add(pending);
        }

        if (batch.Count > 0)
        {
            _metrics.Batch(batch.Count);
            await WriteBatchAsync(batch);
        }
    }

    /// <summary>The batch in one transaction; when that fails, each event in a transaction of its own.</summary>
    private async Task WriteBatchAsync(List<Pending> batch)
    {
        // Not cancelled by shutdown: an accepted event is written, within the command timeout.
        var cancellationToken = CancellationToken.None;
        try
        {
            var outcomes = await ApplyInTransactionAsync(batch, cancellationToken);
            for (var i = 0; i < batch.Count; i++)
            {
                batch[i].Outcome.TrySetResult(outcomes[i]);
            }

            return;
        }
        catch (Exception ex) when (batch.Count > 1)
        {
            _logger.LogWarning(ex, "A batch of {Count} Stripe events failed; applying them one by one", batch.Count);
        }
        catch (Exception ex)
        {
            batch[0].Outcome.TrySetException(ex);
            return;
        }

        foreach (var pending in batch)
        {
            try
            {
                pending.Outcome.TrySetResult((await ApplyInTransactionAsync([pending], cancellationToken))[0]);
            }
            catch (Exception ex)
            {
                pending.Outcome.TrySetException(ex);
            }
        }
    }

    private async Task<string[]> ApplyInTransactionAsync(IReadOnlyList<Pending> batch, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var outcomes = await _ledger.RecordAndApplyAsync(transaction, [.. batch.Select(pending => pending.Event)], cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return outcomes;
    }

    private sealed record Pending(StripeEventChange Event, TaskCompletionSource<string> Outcome);
}
