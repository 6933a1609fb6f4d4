using Azora.Tests.Stack;

namespace Azora.Tests.Api;

/// <summary>
/// Reads the mail the stack sent to an address, as its recipient does: from the mail catcher the payments worker
/// delivers to. Whether a message was written at all (including "nothing was mailed") is asked of the mail outbox
/// (<see cref="CountAsync"/>), whose row exists exactly when the change that caused it was committed, so an absence
/// is certain at once rather than after a wait.
/// </summary>
internal static class TestInbox
{
    /// <summary>
    /// Waits until at least <paramref name="count"/> messages to <paramref name="recipient"/> whose subject contains
    /// <paramref name="subjectContains"/> have arrived, and returns them (newest first by arrival).
    /// </summary>
    public static async Task<IReadOnlyList<CaughtMail>> WaitForAsync(AzoraStackFixture stack, string recipient, string subjectContains, int count = 1)
    {
        using var catcher = stack.CreateMailCatcher();
        var matching = await Eventually.ReadAsync(
            async () => (await catcher.MessagesToAsync(recipient)).Where(mail => mail.Subject.Contains(subjectContains, StringComparison.Ordinal)).ToList(),
            found => found.Count >= count, attempts: 150, pause: TimeSpan.FromMilliseconds(200));
        Assert.True(matching.Count >= count, $"{matching.Count} of {count} mails to {recipient} about '{subjectContains}' arrived.");
        return matching;
    }

    /// <summary>The one message to <paramref name="recipient"/> about <paramref name="subjectContains"/>.</summary>
    public static async Task<CaughtMail> SingleAsync(AzoraStackFixture stack, string recipient, string subjectContains) =>
        Assert.Single(await WaitForAsync(stack, recipient, subjectContains));

    /// <summary>How many messages of <paramref name="kind"/> (one of MailKinds) were written for the address.</summary>
    public static async Task<long> CountAsync(AzoraStackFixture stack, string recipient, string? kind = null) =>
        await stack.CountAsync(
            "SELECT count(*) FROM mail_messages WHERE lower(recipient) = lower(@recipient) AND (@kind::text IS NULL OR kind = @kind)",
            new { recipient, kind });
}
