using System.Text.RegularExpressions;
using Azora.Tests.Stack;
using Dapper;
using Npgsql;

namespace Azora.Tests.Api;

/// <summary>A message the API wrote for someone, as the tests read it.</summary>
internal sealed record WrittenMail(Guid Id, string Kind, Guid? UserId, string Recipient, string Subject, string? Text, string Status);

/// <summary>
/// Mail written by the account flows (password reset, deletion). Read from the mail outbox (<c>mail_messages</c>)
/// until the stack has a mail catcher; when it does, <see cref="WaitForAsync"/> is the one place to switch to reading
/// the delivered message, and <see cref="LinkToken"/> works on its text part unchanged.
/// </summary>
internal static partial class AccountMail
{
    private const string Columns =
        "id AS Id, kind AS Kind, user_id AS UserId, recipient AS Recipient, subject AS Subject, text_body AS Text, status AS Status";

    /// <summary>Every message of this kind to the address, oldest first.</summary>
    public static async Task<IReadOnlyList<WrittenMail>> ToAsync(AzoraStackFixture stack, string address, string kind)
    {
        await using var connection = new NpgsqlConnection(await stack.ConnectionStringAsync("azora"));
        return (await connection.QueryAsync<WrittenMail>(
            $"SELECT {Columns} FROM mail_messages WHERE lower(recipient) = lower(@address) AND kind = @kind ORDER BY created_at, id",
            new { address, kind })).AsList();
    }

    /// <summary>Waits until at least <paramref name="count"/> such messages exist (some are written off the request) and returns the newest.</summary>
    public static async Task<WrittenMail> WaitForAsync(AzoraStackFixture stack, string address, string kind, int count = 1)
    {
        var messages = await Eventually.ReadAsync(() => ToAsync(stack, address, kind), found => found.Count >= count, attempts: 100, TimeSpan.FromMilliseconds(100));
        Assert.True(messages.Count >= count, $"Expected {count} '{kind}' mail(s) to {address}, found {messages.Count}.");
        return messages[^1];
    }

    /// <summary>The <c>token</c> query parameter of the link to <paramref name="page"/> in the message's text.</summary>
    public static string LinkToken(WrittenMail mail, string page)
    {
        Assert.NotNull(mail.Text);
        var link = Link().Matches(mail.Text).Select(match => new Uri(match.Value)).SingleOrDefault(uri => uri.AbsolutePath == page);
        Assert.True(link is not null, $"No link to {page} in: {mail.Text}");
        var token = link.Query.TrimStart('?').Split('&').Select(pair => pair.Split('=', 2)).Single(pair => pair[0] == "token")[1];
        return Uri.UnescapeDataString(token);
    }

    [GeneratedRegex(@"https?://\S+")]
    private static partial Regex Link();
}
