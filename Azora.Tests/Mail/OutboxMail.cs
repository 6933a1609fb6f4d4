using Azora.Contract.Mail;
using Azora.Tests.Stack;
using Npgsql;

namespace Azora.Tests.Mail;

/// <summary>Writes messages to the stack's mail outbox the way the services do: <see cref="MailOutbox"/> in a committed transaction.</summary>
internal static class OutboxMail
{
    /// <summary>A recipient no other test writes to, so each test reads only its own messages from the shared catcher.</summary>
    public static string NewRecipient(string label) => $"{label}-{Guid.NewGuid():N}@example.test";

    public static OutgoingMail Message(string recipient, string subject, string? dedupeKey = null) =>
        new(MailKinds.VerifyEmail, null, recipient, MailComposer.Render(new MailContent(
            subject,
            "Hello <learner>,",
            ["Confirm your address to finish signing up."],
            new MailAction("Confirm my address", new Uri($"http://localhost:5090/verify-email?token={Uri.EscapeDataString("t+" + Guid.NewGuid().ToString("N"))}")))),
            dedupeKey);

    public static async Task<IReadOnlyList<Guid>> EnqueueAsync(AzoraStackFixture stack, params OutgoingMail[] messages)
    {
        var outbox = new MailOutbox(TimeProvider.System);
        await using var connection = new NpgsqlConnection(await stack.ConnectionStringAsync("azora"));
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var ids = new List<Guid>();
        foreach (var message in messages)
        {
            ids.Add(await outbox.EnqueueAsync(transaction, message) ?? throw new InvalidOperationException("Not written: duplicate dedupe key."));
        }

        await transaction.CommitAsync();
        return ids;
    }
}
