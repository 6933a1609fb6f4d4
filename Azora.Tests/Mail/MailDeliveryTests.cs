using Azora.Contract.Mail;
using Azora.Tests.Stack;
using Npgsql;

namespace Azora.Tests.Mail;

/// <summary>Messages written to the outbox reach the stack's mail catcher through the payments worker's SMTP sender.</summary>
[Collection(StackCollection.Name)]
public class MailDeliveryTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task A_message_written_with_the_outbox_arrives_with_text_and_html_parts_from_the_configured_sender()
    {
        var recipient = OutboxMail.NewRecipient("delivery");
        var message = OutboxMail.Message(recipient, "Confirm your email");
        var id = (await OutboxMail.EnqueueAsync(stack, message)).Single();
        using var catcher = stack.CreateMailCatcher();

        var caught = await catcher.WaitForMessageAsync(recipient);

        Assert.Equal("Confirm your email", caught.Subject);
        Assert.Equal([recipient], caught.To);
        Assert.Equal("Azora <no-reply@azora.world>", caught.From.Replace("\"", ""));
        Assert.Equal($"<{id:N}@azora.world>", caught.MessageId);
        Assert.StartsWith("multipart/alternative", caught.Headers["Content-Type"]);
        Assert.Equal(message.Content.Text.ReplaceLineEndings().Trim(), caught.Text.ReplaceLineEndings().Trim());
        Assert.Contains("Hello &lt;learner&gt;,", caught.Html);
        Assert.StartsWith("t+", caught.LinkParameter("token"));
        Assert.StartsWith("http://localhost:5090/verify-email?", caught.Links.Single().AbsoluteUri);
    }

    [Fact]
    public async Task A_sent_message_is_recorded_once_with_its_bodies_cleared()
    {
        var recipient = OutboxMail.NewRecipient("cleared");
        var id = (await OutboxMail.EnqueueAsync(stack, OutboxMail.Message(recipient, "Bodies cleared"))).Single();
        using var catcher = stack.CreateMailCatcher();
        await catcher.WaitForMessageAsync(recipient);

        var recorded = await Eventually.ReadAsync(
            () => stack.CountAsync("SELECT count(*) FROM mail_messages WHERE id = @id AND status = 'sent'", new { id }),
            count => count == 1, attempts: 100, TimeSpan.FromMilliseconds(100));

        Assert.Equal(1, recorded);
        Assert.Equal(1, await stack.CountAsync(
            "SELECT count(*) FROM mail_messages WHERE id = @id AND text_body IS NULL AND html_body IS NULL AND sent_at IS NOT NULL AND attempt_count = 1 AND last_error IS NULL",
            new { id }));
        Assert.Equal(1, await catcher.CountToAsync(recipient));
    }

    [Fact]
    public async Task Messages_written_together_are_each_written_once_per_dedupe_key_and_each_recorded_sent()
    {
        var recipients = Enumerable.Range(0, 3).Select(i => OutboxMail.NewRecipient($"together-{i}")).ToArray();
        var key = $"test:{Guid.NewGuid():N}";
        var outbox = new MailOutbox(TimeProvider.System);
        int written;
        await using (var connection = new NpgsqlConnection(await stack.ConnectionStringAsync("azora")))
        {
            await connection.OpenAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            // The second message repeats the first one's key: only the first is written, in the same statement.
            written = await outbox.EnqueueManyAsync(transaction,
                [OutboxMail.Message(recipients[0], "Together", key), OutboxMail.Message(recipients[1], "Together", key), OutboxMail.Message(recipients[2], "Together")]);
            await transaction.CommitAsync();
        }

        using var catcher = stack.CreateMailCatcher();
        await catcher.WaitForMessageAsync(recipients[0]);
        await catcher.WaitForMessageAsync(recipients[2]);
        var sent = await Eventually.ReadAsync(
            () => stack.CountAsync("SELECT count(*) FROM mail_messages WHERE recipient = ANY (@recipients) AND status = 'sent'", new { recipients }),
            count => count == 2, attempts: 100, TimeSpan.FromMilliseconds(100));

        Assert.Equal(2, written);
        Assert.Equal(2, sent);
        Assert.Equal(2, await stack.CountAsync("SELECT count(*) FROM mail_messages WHERE recipient = ANY (@recipients)", new { recipients }));
        Assert.Equal(0, await catcher.CountToAsync(recipients[1]));
    }

    [Fact]
    public async Task A_message_to_an_address_that_cannot_be_delivered_is_failed_with_the_reason_and_not_retried()
    {
        var id = (await OutboxMail.EnqueueAsync(stack, OutboxMail.Message("no-domain-" + Guid.NewGuid().ToString("N")[..8], "Undeliverable"))).Single();

        var failed = await Eventually.ReadAsync(
            () => stack.CountAsync("SELECT count(*) FROM mail_messages WHERE id = @id AND status = 'failed'", new { id }),
            count => count == 1, attempts: 100, TimeSpan.FromMilliseconds(100));

        Assert.Equal(1, failed);
        Assert.Equal(1, await stack.CountAsync(
            "SELECT count(*) FROM mail_messages WHERE id = @id AND attempt_count = 1 AND next_attempt_at IS NULL AND sent_at IS NULL AND last_error LIKE 'Invalid recipient address%'",
            new { id }));
    }

    [Fact]
    public async Task A_message_the_relay_refuses_with_a_5xx_is_failed_with_the_reply_and_not_retried()
    {
        // The stack's catcher refuses every recipient in the reserved .invalid domain with 550.
        var recipient = $"refused-{Guid.NewGuid():N}@example.invalid";
        var ids = await OutboxMail.EnqueueAsync(stack, OutboxMail.Message(recipient, "Refused"), OutboxMail.Message(OutboxMail.NewRecipient("after-refusal"), "Accepted"));

        var done = await Eventually.ReadAsync(
            () => stack.CountAsync("SELECT count(*) FROM mail_messages WHERE id = ANY (@ids) AND status <> 'pending'", new { ids = ids.ToArray() }),
            count => count == 2, attempts: 100, TimeSpan.FromMilliseconds(100));

        Assert.Equal(2, done);
        Assert.Equal(1, await stack.CountAsync(
            "SELECT count(*) FROM mail_messages WHERE id = @id AND status = 'failed' AND attempt_count = 1 AND last_error LIKE 'Refused by the relay (550)%'",
            new { id = ids[0] }));
        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM mail_messages WHERE id = @id AND status = 'sent'", new { id = ids[1] }));
    }

    [Fact]
    public async Task The_worker_exports_send_attempts_and_the_backlog_as_prometheus_metrics()
    {
        var recipient = OutboxMail.NewRecipient("metrics");
        await OutboxMail.EnqueueAsync(stack, OutboxMail.Message(recipient, "Counted"));
        using var catcher = stack.CreateMailCatcher();
        await catcher.WaitForMessageAsync(recipient);
        using var client = stack.CreatePaymentsClient();

        // The exporter caches a scrape briefly and the backlog is read every few seconds; poll a bounded number of times.
        var text = await Eventually.ReadAsync(
            () => client.GetStringAsync("/metrics"),
            metrics => metrics.Contains("azora_mail_send_attempts_total{") && metrics.Contains("azora_mail_oldest_pending_age_seconds"),
            attempts: 40, TimeSpan.FromMilliseconds(500));

        Assert.Matches("azora_mail_send_attempts_total\\{[^}]*outcome=\"sent\"[^}]*\\} [1-9]", text);
        Assert.Contains("# TYPE azora_mail_pending gauge", text);
        Assert.Contains("# TYPE azora_mail_oldest_pending_age_seconds gauge", text);
    }
}
