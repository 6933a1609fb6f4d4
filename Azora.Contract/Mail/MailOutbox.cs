using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace Azora.Contract.Mail;

/// <summary>One message to send: who it is for, what it says (already rendered), and why (<see cref="Kind"/>).</summary>
/// <param name="Kind">What caused it, one of <see cref="MailKinds"/>; for metrics and support, never shown to the recipient.</param>
/// <param name="UserId">The account it is about, so deleting the account erases it; null for mail to an address with no account.</param>
/// <param name="DedupeKey">When set, a second message with the same key is not written (e.g. one receipt per payment event).</param>
public sealed record OutgoingMail(string Kind, Guid? UserId, string Recipient, RenderedMail Content, string? DedupeKey = null);

/// <summary>
/// Writes messages to <c>mail_messages</c> inside the caller's transaction, so a message exists exactly when the change
/// that caused it was committed; the payments worker's sender delivers it.
/// </summary>
public sealed class MailOutbox(TimeProvider time)
{
    /// <summary>Returns the message's id, or null when <see cref="OutgoingMail.DedupeKey"/> was already written.</summary>
    public async Task<Guid?> EnqueueAsync(NpgsqlTransaction transaction, OutgoingMail mail, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var now = time.GetUtcNow();
        var id = Guid.CreateVersion7(now);
        var written = await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO mail_messages (id, kind, user_id, recipient, subject, text_body, html_body, dedupe_key, next_attempt_at, created_at)
            VALUES (@id, @Kind, @UserId, @Recipient, @Subject, @Text, @Html, @DedupeKey, @now, @now)
            ON CONFLICT (dedupe_key) DO NOTHING
            """,
            new { id, mail.Kind, mail.UserId, mail.Recipient, mail.Content.Subject, mail.Content.Text, mail.Content.Html, mail.DedupeKey, now = now.UtcDateTime },
            transaction, cancellationToken: cancellationToken));
        return written == 1 ? id : null;
    }

    /// <summary>
    /// Several messages in one statement (a relay pass's receipts): returns how many were written, leaving out those
    /// whose <see cref="OutgoingMail.DedupeKey"/> was already written, also earlier in the same call.
    /// </summary>
    public async Task<int> EnqueueManyAsync(NpgsqlTransaction transaction, IReadOnlyList<OutgoingMail> mails, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        if (mails.Count == 0)
        {
            return 0;
        }

        var now = time.GetUtcNow();
        return await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO mail_messages (id, kind, user_id, recipient, subject, text_body, html_body, dedupe_key, next_attempt_at, created_at)
            SELECT id, kind, user_id, recipient, subject, text_body, html_body, dedupe_key, @now, @now
            FROM unnest(@ids, @kinds, @userIds, @recipients, @subjects, @texts, @htmls, @dedupeKeys)
                AS m (id, kind, user_id, recipient, subject, text_body, html_body, dedupe_key)
            ON CONFLICT (dedupe_key) DO NOTHING
            """,
            new
            {
                ids = mails.Select(_ => Guid.CreateVersion7(now)).ToArray(),
                kinds = mails.Select(mail => mail.Kind).ToArray(),
                userIds = mails.Select(mail => mail.UserId).ToArray(),
                recipients = mails.Select(mail => mail.Recipient).ToArray(),
                subjects = mails.Select(mail => mail.Content.Subject).ToArray(),
                texts = mails.Select(mail => mail.Content.Text).ToArray(),
                htmls = mails.Select(mail => mail.Content.Html).ToArray(),
                dedupeKeys = mails.Select(mail => mail.DedupeKey).ToArray(),
                now = now.UtcDateTime,
            },
            transaction, cancellationToken: cancellationToken));
    }
}

public static class MailRegistration
{
    /// <summary>The <see cref="MailOutbox"/> and <see cref="MailOptions"/> (links and sender); registering twice is harmless.</summary>
    public static IServiceCollection AddMailOutbox(this IServiceCollection services)
    {
        services.TryAddSingleton<MailOutbox>();
        services.AddOptions<MailOptions>().BindConfiguration(MailOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        return services;
    }
}
