using System.Diagnostics.Metrics;
using Azora.Payments.Stripe;
using Dapper;
using Npgsql;

namespace Azora.Payments.Mail;

/// <summary>
/// The mail sender's instruments under the <c>Azora.Payments</c> meter: send attempts by outcome, and the backlog
/// (pending messages, age of the oldest). The backlog comes from one query at most every <see cref="BacklogRefresh"/>;
/// a scrape reads the last answer and, when it is stale, starts the next query without waiting for it, so many
/// scrapers cost the database no more than one.
/// </summary>
public sealed class MailMetrics
{
    public static readonly TimeSpan BacklogRefresh = TimeSpan.FromSeconds(5);

    private readonly NpgsqlDataSource _database;
    private readonly TimeProvider _time;
    private readonly ILogger<MailMetrics> _logger;
    private readonly Counter<long> _attempts;
    private Backlog _backlog = new(0, 0, DateTimeOffset.MinValue);
    private int _refreshing;

    public MailMetrics(NpgsqlDataSource database, TimeProvider time, IMeterFactory meters, ILogger<MailMetrics> logger)
    {
        _database = database;
        _time = time;
        _logger = logger;
        var meter = meters.Create(PaymentsMetrics.MeterName);
        _attempts = meter.CreateCounter<long>(
            "azora.mail.send_attempts", description: "Mail send attempts by outcome: sent, retry (will be tried again), failed (given up).");
        meter.CreateObservableGauge("azora.mail.pending", () => CurrentBacklog().Pending, description: "Messages waiting to be sent.");
        meter.CreateObservableGauge(
            "azora.mail.oldest_pending_age", () => CurrentBacklog().OldestAgeSeconds, unit: "s",
            description: "How long the oldest message waiting to be sent has waited.");
    }

    public void Attempt(string outcome) => _attempts.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    private Backlog CurrentBacklog()
    {
        var backlog = _backlog;
        if (_time.GetUtcNow() - backlog.ReadAt >= BacklogRefresh && Interlocked.Exchange(ref _refreshing, 1) == 0)
        {
            _ = RefreshAsync();
        }

        return backlog;
    }

    private async Task RefreshAsync()
    {
        try
        {
            await using var connection = await _database.OpenConnectionAsync();
            var row = await connection.QuerySingleAsync<(long Pending, double OldestAgeSeconds)>(
                """
                SELECT count(*), coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8
                FROM mail_messages WHERE status = 'pending'
                """);
            _backlog = new Backlog(row.Pending, row.OldestAgeSeconds, _time.GetUtcNow());
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            _logger.LogDebug(ex, "Mail backlog not read; the gauges keep their last values");
        }
        finally
        {
            Volatile.Write(ref _refreshing, 0);
        }
    }

    private sealed record Backlog(long Pending, double OldestAgeSeconds, DateTimeOffset ReadAt);
}
