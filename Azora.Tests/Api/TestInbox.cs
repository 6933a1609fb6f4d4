using Azora.Tests.Stack;
using Dapper;
using Npgsql;

namespace Azora.Tests.Api;

/// <summary>A message in the mail outbox: why and for whom it was written, and whether it has been sent.</summary>
internal sealed record WrittenMail(Guid Id, string Kind, Guid? UserId, string Recipient, string Subject, string Status);

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

    /// <summary>The newest of at least <paramref name="count"/> messages to <paramref name="recipient"/> about <paramref name="subjectContains"/>.</summary>
    public static async Task<CaughtMail> NewestAsync(AzoraStackFixture stack, string recipient, string subjectContains, int count = 1) =>
        (await WaitForAsync(stack, recipient, subjectContains, count))[0];

    /// <summary>The one message to <paramref name="recipient"/> about <paramref name="subjectContains"/>.</summary>
    public static async Task<CaughtMail> SingleAsync(AzoraStackFixture stack, string recipient, string subjectContains) =>
        Assert.Single(await WaitForAsync(stack, recipient, subjectContains));

    /// <summary>How many messages of <paramref name="kind"/> (one of MailKinds) were written for the address.</summary>
    public static async Task<long> CountAsync(AzoraStackFixture stack, string recipient, string? kind = null) =>
        await stack.CountAsync(
            "SELECT count(*) FROM mail_messages WHERE lower(recipient) = lower(@recipient) AND (@kind::text IS NULL OR kind = @kind)",
            new { recipient, kind });

    /// <summary>Every outbox message of this kind (one of MailKinds) written for the address, oldest first.</summary>
    public static async Task<IReadOnlyList<WrittenMail>> WrittenAsync(AzoraStackFixture stack, string recipient, string kind)
    {
        await using var connection = new NpgsqlConnection(await stack.ConnectionStringAsync("azora"));
        return (await connection.QueryAsync<WrittenMail>(
            "SELECT id AS Id, kind AS Kind, user_id AS UserId, recipient AS Recipient, subject AS Subject, status AS Status " +
            "FROM mail_messages WHERE lower(recipient) = lower(@recipient) AND kind = @kind ORDER BY created_at, id",
            new { recipient, kind })).AsList();
    }

    /// <summary>
    /// Waits until at least <paramref name="count"/> such outbox messages exist (for mail written off the request, such
    /// as a password reset's); returns the newest.
    /// </summary>
    public static async Task<WrittenMail> WaitForWrittenAsync(AzoraStackFixture stack, string recipient, string kind, int count = 1)
    {
        var messages = await Eventually.ReadAsync(() => WrittenAsync(stack, recipient, kind), found => found.Count >= count, attempts: 100, TimeSpan.FromMilliseconds(100));
        Assert.True(messages.Count >= count, $"Expected {count} '{kind}' mail(s) to {recipient} in the outbox, found {messages.Count}.");
        return messages[^1];
    }

    /// <summary>The token of the caught message's link to <paramref name="page"/>, as a person following it would send it.</summary>
    public static string LinkToken(CaughtMail mail, string page)
    {
        Assert.Contains(mail.Links, link => link.AbsolutePath == page && link.Query.Contains("token=", StringComparison.Ordinal));
        return mail.LinkParameter("token");
    }
}
