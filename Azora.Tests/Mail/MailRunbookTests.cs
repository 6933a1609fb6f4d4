using System.Text.RegularExpressions;
using Azora.Tests.Api;
using Azora.Tests.Deployment;
using Azora.Tests.Stack;
using Dapper;
using Npgsql;

namespace Azora.Tests.Mail;

/// <summary>
/// The operations runbook's mail statements, run as written (with the request's values put in place of its examples)
/// against the stack's database, so what an operator pastes does what the runbook says.
/// </summary>
[Collection(StackCollection.Name)]
public partial class MailRunbookTests(AzoraStackFixture stack)
{
    private static readonly string Runbook = Repository.PathOf("docs/operations/OPERATIONS-RUNBOOK.md");

    [Fact]
    public async Task Sending_failed_mail_again_queues_only_the_failed_messages_of_that_kind_and_window_that_still_have_a_body()
    {
        // A window of the past that no other test writes in, in place of the runbook's example window.
        var statement = SqlOf("send-failed-mail-again")
            .Replace("2026-11-30 14:00:00+00", "2001-02-03 14:00:00+00")
            .Replace("2026-11-30 16:00:00+00", "2001-02-03 16:00:00+00");
        using var client = stack.CreateApiClient();
        using var catcher = stack.CreateMailCatcher();
        var learner = await TestAccounts.RegisterAsync(client);
        var recipient = OutboxMail.NewRecipient("resent");
        var inWindow = new DateTime(2001, 2, 3, 15, 0, 0, DateTimeKind.Utc);
        var resent = await InsertMailAsync(learner.UserId, recipient, "payment_receipt", "failed", inWindow, withBody: true);
        var others = new[]
        {
            await InsertMailAsync(learner.UserId, recipient, "payment_receipt", "failed", inWindow.AddHours(2), withBody: true),
            await InsertMailAsync(learner.UserId, recipient, "password_reset", "failed", inWindow, withBody: true),
            await InsertMailAsync(learner.UserId, recipient, "payment_receipt", "sent", inWindow, withBody: false),
            await InsertMailAsync(learner.UserId, recipient, "payment_receipt", "failed", inWindow, withBody: false),
        };

        await using var connection = new NpgsqlConnection(await stack.ConnectionStringAsync("azora"));
        var queued = (await connection.QueryAsync<(Guid Id, string Kind, string Recipient, string Subject)>(statement)).ToList();

        Assert.Equal(resent, Assert.Single(queued).Id);
        // The worker's sender takes it from there, with a fresh set of attempts; the others stay as they were.
        var delivered = await catcher.WaitForMessageAsync(recipient);
        Assert.Equal("A message", delivered.Subject);
        Assert.Equal(1, await catcher.CountToAsync(recipient));
        Assert.Equal(0, await stack.CountAsync("SELECT count(*) FROM mail_messages WHERE id = ANY (@others) AND status = 'pending'", new { others }));
    }

    [Fact]
    public async Task Support_moves_an_account_to_a_new_address_with_an_audit_row_and_the_owner_signs_in_with_it()
    {
        var statement = SqlOf("a-user-lost-access-to-their-email");
        using var client = stack.CreateApiClient();
        var learner = await TestAccounts.RegisterAsync(client);
        var other = await TestAccounts.RegisterAsync(client);
        var newAddress = TestAccounts.NewEmail("moved");
        await using var connection = new NpgsqlConnection(await stack.ConnectionStringAsync("azora"));

        var audited = (await connection.QueryAsync<(Guid Target, string Before, string After)>(For(statement, learner.UserId, newAddress))).ToList();

        var (target, before, after) = Assert.Single(audited);
        Assert.Equal(learner.UserId, target);
        Assert.Contains(learner.Email, before);
        Assert.Contains(newAddress, after);
        var user = await connection.QuerySingleAsync<(string Email, DateTime? VerifiedAt)>(
            "SELECT email, email_verified_at FROM users WHERE id = @id", new { id = learner.UserId });
        Assert.Equal((newAddress, null), user);
        Assert.Equal(1, await stack.CountAsync(
            "SELECT count(*) FROM admin_audit WHERE target_user_id = @id AND action = 'user.email_changed' AND actor LIKE 'ops@azora.world%'", new { id = learner.UserId }));
        var signedIn = await TestAccounts.LoginAsync(client, newAddress);
        Assert.Equal(learner.UserId, signedIn.UserId);

        // Another account's address is refused by the unique index, and nothing changes.
        var taken = await Assert.ThrowsAsync<PostgresException>(() => connection.QueryAsync(For(statement, learner.UserId, other.Email)));
        Assert.Equal(PostgresErrorCodes.UniqueViolation, taken.SqlState);
        Assert.Equal(newAddress, await connection.ExecuteScalarAsync<string>("SELECT email FROM users WHERE id = @id", new { id = learner.UserId }));

        // A deleted account is not moved: the statement returns nothing and writes nothing.
        await stack.ExecuteAsync("UPDATE users SET deleted_at = now() WHERE id = @id", new { id = other.UserId });
        Assert.Empty(await connection.QueryAsync(For(statement, other.UserId, TestAccounts.NewEmail("never"))));
        Assert.Equal(0, await stack.CountAsync("SELECT count(*) FROM admin_audit WHERE target_user_id = @id", new { id = other.UserId }));
    }

    private static string For(string statement, Guid userId, string newAddress) => statement
        .Replace("01934c5e-7a1f-7c3e-9d2b-5f8e6a4b3c21", userId.ToString())
        .Replace("ada.new@example.com", newAddress);

    private async Task<Guid> InsertMailAsync(Guid userId, string recipient, string kind, string status, DateTime createdAt, bool withBody)
    {
        var id = Guid.NewGuid();
        await stack.ExecuteAsync(
            """
            INSERT INTO mail_messages (id, kind, user_id, recipient, subject, text_body, html_body, status, attempt_count, last_error, created_at, sent_at)
            VALUES (@id, @kind, @userId, @recipient, 'A message', @body, @body, @status, 8, 'timed out', @createdAt,
                    CASE WHEN @status = 'sent' THEN @createdAt END)
            """,
            new { id, kind, userId, recipient, status, createdAt, body = withBody ? "Hello" : null });
        return id;
    }

    private static string SqlOf(string section)
    {
        var block = SqlBlock().Match(Markdown.Section(Runbook, section));
        Assert.True(block.Success, $"the runbook's section #{section} has no sql block");
        return block.Groups[1].Value;
    }

    [GeneratedRegex(@"```sql\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex SqlBlock();
}
