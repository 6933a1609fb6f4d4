using Azora.Tests.Stack;

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
}
