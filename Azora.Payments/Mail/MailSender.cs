using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Threading.Channels;
using Azora.Contract.Mail;
using Dapper;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;
using Npgsql;

namespace Azora.Payments.Mail;

/// <summary>
/// Delivers the <c>mail_messages</c> outbox over SMTP. Each pass claims due messages with <c>FOR UPDATE SKIP LOCKED</c>
/// and a lease (the attempt is counted when claimed), sends them over up to <see cref="MailSenderOptions.Parallelism"/>
/// connections kept for the pass, and records each outcome as soon as its send ends: sent (bodies cleared), retry
/// (exponential backoff with jitter), or failed (a permanent refusal, or the last attempt). A connection sends its next
/// message only once the last outcome is committed; the outcomes that end meanwhile on the other connections are
/// committed together, in one statement. Every attempt of a message carries the same Message-ID, made from its id.
/// <para>
/// Duplicates: a message is sent again only if the worker dies (or loses the database) after the relay accepted it and
/// before the outcome was recorded; the lease then ends and another pass sends it once more. So a crash sends at most
/// the messages in flight at that moment twice, at most <see cref="MailSenderOptions.Parallelism"/>. A live worker never
/// starts a send its lease might not cover, and on shutdown it finishes and records the sends in flight and hands back
/// the messages it claimed but did not start.
/// </para>
/// </summary>
public sealed class MailSender(
    NpgsqlDataSource database,
    IOptions<SmtpOptions> smtpOptions,
    IOptions<MailSenderOptions> senderOptions,
    IOptions<MailOptions> mailOptions,
    MailMetrics metrics,
    TimeProvider time,
    ILogger<MailSender> logger) : BackgroundService
{
    private const int LastErrorLength = 1000;

    private readonly SmtpOptions _smtp = smtpOptions.Value;
    private readonly MailSenderOptions _options = senderOptions.Value;
    private readonly MailOptions _mail = mailOptions.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_smtp.IsConfigured)
        {
            logger.LogWarning("{Setting}:Host is not set: this worker sends no mail (allowed in Development only)", SmtpOptions.Section);
            return;
        }

        using var timer = new PeriodicTimer(_options.PollInterval, time);
        do
        {
            try
            {
                while (!stoppingToken.IsCancellationRequested && await SendDueAsync(stoppingToken) > 0)
                {
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Whatever failed, the worker keeps running: claimed messages go again when their lease ends.
                logger.LogWarning(ex, "Mail sender pass failed; the next one retries");
            }
        }
        while (await WaitForNextTickAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitForNextTickAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Claims the due messages and sends them; returns how many it claimed.</summary>
    public async Task<int> SendDueAsync(CancellationToken stoppingToken)
    {
        var claimedAt = time.GetUtcNow();
        var claimed = await ClaimAsync(stoppingToken);
        if (claimed.Count == 0)
        {
            return 0;
        }

        // A send starts only while it can end (connect, authenticate, send: a timeout each) before the lease does, so
        // no other pass can claim it meanwhile.
        var lastStart = claimedAt + _options.Lease - _smtp.Timeout * 3;
        var queue = new ConcurrentQueue<Claimed>(claimed);
        var pass = new Pass();
        var recording = RecordOutcomesAsync(pass.Outcomes.Reader);
        var lanes = Enumerable.Range(0, Math.Min(_options.Parallelism, claimed.Count))
            .Select(_ => RunLaneAsync(queue, pass, lastStart, stoppingToken));
        try
        {
            await Task.WhenAll(lanes);
        }
        finally
        {
            pass.Outcomes.Writer.Complete();
            await recording;
        }

        var unstarted = queue.ToArray();
        if (unstarted.Length > 0)
        {
            await ReleaseAsync(unstarted);
        }

        return claimed.Count;
    }

    private async Task<List<Claimed>> ClaimAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return (await connection.QueryAsync<Claimed>(new CommandDefinition(
            """
            UPDATE mail_messages m
            SET attempt_count = m.attempt_count + 1, next_attempt_at = now() + @lease
            WHERE m.id IN (
                SELECT id FROM mail_messages
                WHERE status = 'pending' AND next_attempt_at <= now()
                ORDER BY next_attempt_at LIMIT @batch FOR UPDATE SKIP LOCKED)
            RETURNING m.id AS Id, m.recipient AS Recipient, m.subject AS Subject, m.text_body AS TextBody, m.html_body AS HtmlBody,
                      m.attempt_count AS Attempt
            """,
            new { lease = _options.Lease, batch = _options.BatchSize }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>One connection, reused for the pass, sending messages from the shared queue one after another.</summary>
    private async Task RunLaneAsync(ConcurrentQueue<Claimed> queue, Pass pass, DateTimeOffset lastStart, CancellationToken stoppingToken)
    {
        using var client = new SmtpClient { Timeout = (int)_smtp.Timeout.TotalMilliseconds };
        try
        {
            // Stopping ends the pass between sends, never in one: a send in flight finishes and is recorded.
            while (!stoppingToken.IsCancellationRequested && time.GetUtcNow() < lastStart && queue.TryDequeue(out var message))
            {
                var outcome = pass.RelayUnreachable is { } unreachable
                    ? Outcome.Retry(unreachable)
                    : await SendAsync(client, message, pass);
                await RecordAsync(pass, message, outcome);
            }
        }
        finally
        {
            if (client.IsConnected)
            {
                try
                {
                    await client.DisconnectAsync(quit: true);
                }
                catch (Exception ex) when (IsConnectionFailure(ex))
                {
                    logger.LogDebug(ex, "SMTP disconnect failed");
                }
            }
        }
    }

    private async Task<Outcome> SendAsync(SmtpClient client, Claimed message, Pass pass)
    {
        MimeMessage mime;
        try
        {
            mime = Compose(message);
        }
        catch (Exception ex) when (ex is ParseException or FormatException)
        {
            return Outcome.Failed($"Invalid recipient address: {ex.Message}");
        }

        if (!client.IsConnected)
        {
            try
            {
                await client.ConnectAsync(_smtp.Host!, _smtp.Port, _smtp.Security);
                if (!string.IsNullOrEmpty(_smtp.Username))
                {
                    await client.AuthenticateAsync(_smtp.Username, _smtp.Password ?? "");
                }
            }
            catch (Exception ex) when (IsConnectionFailure(ex) || ex is AuthenticationException or SmtpCommandException)
            {
                // The rest of this pass's messages wait for the next attempt rather than each trying the relay again.
                var error = $"SMTP relay {_smtp.Host}:{_smtp.Port} unreachable: {ex.Message}";
                pass.RelayUnreachable = error;
                await DisconnectQuietlyAsync(client);
                return Outcome.Retry(error);
            }
        }

        try
        {
            await client.SendAsync(mime);
            return Outcome.Sent;
        }
        catch (SmtpCommandException ex) when ((int)ex.StatusCode >= 500
            && ex.ErrorCode is SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.SenderNotAccepted or SmtpErrorCode.MessageNotAccepted)
        {
            return Outcome.Failed($"Refused by the relay ({(int)ex.StatusCode}): {ex.Message}");
        }
        catch (SmtpCommandException ex)
        {
            return Outcome.Retry($"Deferred by the relay ({(int)ex.StatusCode}): {ex.Message}");
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
            // Whether the relay took the message is unknown; the next attempt, with the same Message-ID, may duplicate it.
            await DisconnectQuietlyAsync(client);
            return Outcome.Retry($"SMTP connection failed: {ex.Message}");
        }
        catch (Exception ex)
        {
            // Unforeseen: retried like a connection failure, on a fresh connection, and logged in full.
            logger.LogError(ex, "Mail {MessageId}: unexpected failure while sending", message.Id);
            await DisconnectQuietlyAsync(client);
            return Outcome.Retry($"{ex.GetType().Name}: {ex.Message}");
        }
    }

    private MimeMessage Compose(Claimed message)
    {
        var recipient = MailboxAddress.Parse(message.Recipient);
        if (string.IsNullOrEmpty(recipient.Domain) || string.IsNullOrEmpty(recipient.LocalPart))
        {
            throw new FormatException($"'{message.Recipient}' has no domain.");
        }

        var mime = new MimeMessage
        {
            Subject = message.Subject,
            MessageId = $"{message.Id:N}@{MessageIdDomain()}",
            Body = new BodyBuilder { TextBody = message.TextBody ?? "", HtmlBody = message.HtmlBody ?? "" }.ToMessageBody(),
        };
        mime.From.Add(new MailboxAddress(_mail.FromName, _mail.FromAddress));
        mime.To.Add(recipient);
        return mime;
    }

    private string MessageIdDomain() => _mail.FromAddress[(_mail.FromAddress.LastIndexOf('@') + 1)..];

    /// <summary>Hands the outcome to the pass's recorder and waits until it is committed (or could not be).</summary>
    private async Task RecordAsync(Pass pass, Claimed message, Outcome outcome)
    {
        var final = outcome.Kind == OutcomeKind.Retry && message.Attempt >= _options.MaximumAttempts ? OutcomeKind.Failed : outcome.Kind;
        var label = final switch
        {
            OutcomeKind.Sent => "sent",
            OutcomeKind.Retry => "retry",
            _ => "failed",
        };
        metrics.Attempt(label);
        if (final != OutcomeKind.Sent)
        {
            logger.LogWarning("Mail {MessageId} attempt {Attempt}: {Outcome}, {Error}", message.Id, message.Attempt, label, outcome.Error);
        }

        var recorded = new Recorded(
            message.Id,
            final switch { OutcomeKind.Sent => "sent", OutcomeKind.Retry => "pending", _ => "failed" },
            RetryDelay(message.Attempt),
            outcome.Error is { Length: > LastErrorLength } tooLong ? tooLong[..LastErrorLength] : outcome.Error,
            label);
        pass.Outcomes.Writer.TryWrite(recorded);
        await recorded.Committed.Task;
    }

    /// <summary>Commits the outcomes waiting at each moment in one statement, until the pass's lanes are done.</summary>
    private async Task RecordOutcomesAsync(ChannelReader<Recorded> outcomes)
    {
        var batch = new List<Recorded>();
        while (await outcomes.WaitToReadAsync())
        {
            batch.Clear();
            while (outcomes.TryRead(out var recorded))
            {
                batch.Add(recorded);
            }

            try
            {
                // Not cancelled by shutdown: a send that happened must be recorded, or the message goes out again.
                await using var connection = await database.OpenConnectionAsync();
                await connection.ExecuteAsync(
                    """
                    UPDATE mail_messages m SET
                        status = v.status,
                        next_attempt_at = CASE WHEN v.status = 'pending' THEN now() + v.delay END,
                        sent_at = CASE WHEN v.status = 'sent' THEN now() END,
                        text_body = CASE WHEN v.status = 'sent' THEN NULL ELSE m.text_body END,
                        html_body = CASE WHEN v.status = 'sent' THEN NULL ELSE m.html_body END,
                        last_error = v.error
                    FROM unnest(@ids, @statuses, @delays, @errors) AS v (id, status, delay, error)
                    WHERE m.id = v.id AND m.status = 'pending'
                    """,
                    new
                    {
                        ids = batch.Select(recorded => recorded.Id).ToArray(),
                        statuses = batch.Select(recorded => recorded.Status).ToArray(),
                        delays = batch.Select(recorded => recorded.Delay).ToArray(),
                        errors = batch.Select(recorded => recorded.Error).ToArray(),
                    });
            }
            catch (Exception ex)
            {
                // Whatever failed, the lanes waiting on this batch go on; the lease brings these messages back.
                foreach (var recorded in batch)
                {
                    logger.LogError(ex, "Mail {MessageId}: outcome {Outcome} not recorded; it is tried again when its lease ends", recorded.Id, recorded.Label);
                }
            }

            foreach (var recorded in batch)
            {
                recorded.Committed.TrySetResult();
            }
        }
    }

    /// <summary>Claimed messages this pass did not start: due again at once, and the claim does not count as an attempt.</summary>
    private async Task ReleaseAsync(IReadOnlyCollection<Claimed> messages)
    {
        try
        {
            await using var connection = await database.OpenConnectionAsync();
            await connection.ExecuteAsync(
                "UPDATE mail_messages SET attempt_count = attempt_count - 1, next_attempt_at = now() WHERE id = ANY (@ids) AND status = 'pending'",
                new { ids = messages.Select(message => message.Id).ToArray() });
        }
        catch (NpgsqlException ex)
        {
            logger.LogWarning(ex, "{Count} claimed mail messages not handed back; they are sent when their lease ends", messages.Count);
        }
    }

    /// <summary>Doubling from the first delay up to the maximum, with ±20% jitter so a recovering relay is not hit in step.</summary>
    public TimeSpan RetryDelay(int attempt)
    {
        var doubled = _options.FirstRetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = Math.Min(doubled, _options.MaximumRetryDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.8 + 0.4 * Random.Shared.NextDouble()));
    }

    private static bool IsConnectionFailure(Exception ex) =>
        ex is IOException or SocketException or SmtpProtocolException or ServiceNotConnectedException or SslHandshakeException
            or TimeoutException or OperationCanceledException;

    private static async Task DisconnectQuietlyAsync(SmtpClient client)
    {
        try
        {
            await client.DisconnectAsync(quit: false);
        }
        catch (Exception ex) when (IsConnectionFailure(ex) || ex is InvalidOperationException)
        {
        }
    }

    private sealed class Pass
    {
        public volatile string? RelayUnreachable;

        public Channel<Recorded> Outcomes { get; } = Channel.CreateUnbounded<Recorded>(new UnboundedChannelOptions { SingleReader = true });
    }

    /// <summary>An outcome on its way to the database: <see cref="Status"/> is the column's value, <see cref="Label"/> the metric's.</summary>
    private sealed record Recorded(Guid Id, string Status, TimeSpan Delay, string? Error, string Label)
    {
        public TaskCompletionSource Committed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private enum OutcomeKind
    {
        Sent,
        Retry,
        Failed,
    }

    private sealed record Outcome(OutcomeKind Kind, string? Error)
    {
        public static readonly Outcome Sent = new(OutcomeKind.Sent, null);

        public static Outcome Retry(string error) => new(OutcomeKind.Retry, error);

        public static Outcome Failed(string error) => new(OutcomeKind.Failed, error);
    }

    private sealed class Claimed
    {
        public Guid Id { get; init; }
        public string Recipient { get; init; } = "";
        public string Subject { get; init; } = "";
        public string? TextBody { get; init; }
        public string? HtmlBody { get; init; }
        public int Attempt { get; init; }
    }
}
