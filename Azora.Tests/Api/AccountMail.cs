using Azora.Tests.Stack;
using Dapper;
using Npgsql;

namespace Azora.Tests.Api;

/// <summary>A message in the mail outbox: why and for whom it was written, and whether it has been sent.</summary>
internal sealed record WrittenMail(Guid Id, string Kind, Guid? UserId, string Recipient, string Subject, string Status);

/// <summary>
/// Mail written by the account flows (password reset, deletion), seen from both ends: the outbox row the API wrote
/// (<c>mail_messages</c>: kind, account, status), and the message the worker delivered to the stack's mail catcher,
/// whose link a test follows like a person would.
/// </summary>
internal static class AccountMail
{
    public const string ResetSubject = "Reset your Azora password";
    public const string ChangedSubject = "Your Azora password was changed";
    public const string DeletedSubject = "Your Azora account has been deleted";

    private const string Columns = "id AS Id, kind AS Kind, user_id AS UserId, recipient AS Recipient, subject AS Subject, status AS Status";

    /// <summary>Every outbox message of this kind to the address, oldest first.</summary>
    public static async Task<IReadOnlyList<WrittenMail>> ToAsync(AzoraStackFixture stack, string address, string kind)
    {
        await using var connection = new NpgsqlConnection(await stack.ConnectionStringAsync("azora"));
        return (await connection.QueryAsync<WrittenMail>(
            $"SELECT {Columns} FROM mail_messages WHERE lower(recipient) = lower(@address) AND kind = @kind ORDER BY created_at, id",
            new { address, kind })).AsList();
    }

    /// <summary>Waits until at least <paramref name="count"/> such outbox messages exist (reset mail is written off the request); returns the newest.</summary>
    public static async Task<WrittenMail> WaitForAsync(AzoraStackFixture stack, string address, string kind, int count = 1)
    {
        var messages = await Eventually.ReadAsync(() => ToAsync(stack, address, kind), found => found.Count >= count, attempts: 100, TimeSpan.FromMilliseconds(100));
        Assert.True(messages.Count >= count, $"Expected {count} '{kind}' mail(s) to {address} in the outbox, found {messages.Count}.");
        return messages[^1];
    }

    /// <summary>Waits until the catcher holds at least <paramref name="count"/> messages with this subject to the address; returns the newest.</summary>
    public static async Task<CaughtMail> CaughtAsync(AzoraStackFixture stack, string address, string subject, int count = 1)
    {
        using var catcher = stack.CreateMailCatcher();
        var caught = await Eventually.ReadAsync(
            async () => (await catcher.MessagesToAsync(address)).Where(mail => mail.Subject == subject).ToList(),
            found => found.Count >= count, attempts: 150, TimeSpan.FromMilliseconds(200));
        Assert.True(caught.Count >= count, $"Expected {count} message(s) '{subject}' to {address} in the catcher, found {caught.Count}.");
        return caught[0];
    }

    /// <summary>The token of the caught message's link to <paramref name="page"/>, as a person following it would send it.</summary>
    public static string LinkToken(CaughtMail mail, string page)
    {
        Assert.Contains(mail.Links, link => link.AbsolutePath == page && link.Query.Contains("token=", StringComparison.Ordinal));
        return mail.LinkParameter("token");
    }
}
