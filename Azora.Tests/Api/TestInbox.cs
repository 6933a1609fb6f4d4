using System.Text.RegularExpressions;
using System.Web;
using Azora.Tests.Stack;
using Dapper;
using Npgsql;

namespace Azora.Tests.Api;

/// <summary>A message as its recipient reads it.</summary>
internal sealed record ReceivedMail(string Recipient, string Subject, string Text)
{
    /// <summary>The <c>token</c> query parameter of the link to <paramref name="path"/> in the message, as a reader following it would send it.</summary>
    public string LinkToken(string path)
    {
        var link = Regex.Match(Text, $@"https?://\S+{Regex.Escape(path)}\?\S+");
        Assert.True(link.Success, $"No link to {path} in: {Text}");
        var token = HttpUtility.ParseQueryString(new Uri(link.Value).Query)["token"];
        Assert.False(string.IsNullOrEmpty(token), $"The link {link.Value} carries no token.");
        return token;
    }
}

/// <summary>
/// Reads the mail the stack wrote for an address. Until the worker's sender and the mail catcher are merged, a message
/// is read where the API writes it (the mail outbox, whose row exists exactly when the change was committed); this is
/// the one place to switch to the catcher. Whether anything was written at all is always asked of the outbox
/// (<see cref="CountAsync"/>), which stays true after delivery.
/// </summary>
internal static class TestInbox
{
    public static async Task<ReceivedMail> LatestAsync(AzoraStackFixture stack, string recipient, string subjectContains)
    {
        var mail = await Eventually.ReadAsync(
            () => FindAsync(stack, recipient, subjectContains), found => found is not null, attempts: 50, pause: TimeSpan.FromMilliseconds(200));
        Assert.True(mail is not null, $"No mail to {recipient} about '{subjectContains}'.");
        return mail;
    }

    /// <summary>How many messages of <paramref name="kind"/> (one of MailKinds) were written for the address.</summary>
    public static async Task<long> CountAsync(AzoraStackFixture stack, string recipient, string? kind = null) =>
        await stack.CountAsync(
            "SELECT count(*) FROM mail_messages WHERE lower(recipient) = lower(@recipient) AND (@kind::text IS NULL OR kind = @kind)",
            new { recipient, kind });

    private static async Task<ReceivedMail?> FindAsync(AzoraStackFixture stack, string recipient, string subjectContains)
    {
        await using var connection = new NpgsqlConnection(await stack.ConnectionStringAsync("azora"));
        var row = await connection.QueryFirstOrDefaultAsync<(string Recipient, string Subject, string? Text)>(
            """
            SELECT recipient, subject, text_body FROM mail_messages
            WHERE lower(recipient) = lower(@recipient) AND strpos(subject, @subjectContains) > 0
            ORDER BY created_at DESC, id DESC LIMIT 1
            """,
            new { recipient, subjectContains });
        return row.Recipient is null || row.Text is null ? null : new ReceivedMail(row.Recipient, row.Subject, row.Text);
    }
}
