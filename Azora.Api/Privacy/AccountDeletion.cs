using Azora.Api.Auth;
using Azora.Api.Auth.Accounts;
using Azora.Api.Auth.Passwords;
using Azora.Api.Auth.Tokens;
using Azora.Api.Education.Caching;
using Azora.Api.RateLimiting;
using Azora.Contract.Events;
using Azora.Contract.Mail;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Npgsql;

namespace Azora.Api.Privacy;

public enum AccountDeletionResult { Deleted, WrongPassword, Throttled, NotFound, LastAdmin }

public sealed record AccountDeletionOutcome(AccountDeletionResult Result, RateLimitState? Throttled = null);

/// <summary>
/// Deletes the signed-in user's account at the owner's request. The users row stays, anonymised, so enrollments and
/// payments keep pointing at a user for accounting while nothing names the person; everything else that names the
/// person is erased in the same transaction (see <see cref="EraseAsync"/>), the <c>user.deleted</c> event is written,
/// and a farewell mail goes to the address as it was.
/// </summary>
public sealed class AccountDeletion(
    NpgsqlDataSource database,
    AccountStore accounts,
    IPasswordHasher<UserAccount> hasher,
    DistributedRateLimits rateLimits,
    TokenRevocations revocations,
    OutboxWriter outbox,
    MailOutbox mail,
    CatalogCache catalog,
    TimeProvider time)
{
    public const string DeletedName = "Deleted user";

    /// <summary>What replaces the actor of the deleted person's admin audit rows (the only value migration 0013 allows).</summary>
    public const string DeletedAuditActor = "deleted user";

    private static readonly string[] PersonalAuditKeys = ["email", "name", "bio"];

    /// <summary>The address a deleted account is given: unique, and never deliverable (RFC 6761 reserves .invalid).</summary>
    public static string PlaceholderEmail(Guid userId) => $"deleted-{userId}@deleted.invalid";

    public async Task<AccountDeletionOutcome> DeleteAsync(CurrentUser current, string password, string client, CancellationToken cancellationToken)
    {
        var user = await accounts.FindByIdAsync(current.UserId, cancellationToken);
        if (user is null)
        {
            return new AccountDeletionOutcome(AccountDeletionResult.NotFound);
        }

        // The same allowance as a password change: a stolen access token must not become a password oracle.
        if (await rateLimits.AcquireAsync(RateLimitPolicies.LoginAttempts, AuthService.AttemptKey(user.Email, client)) is { Allowed: false } exhausted)
        {
            return new AccountDeletionOutcome(AccountDeletionResult.Throttled, exhausted);
        }

        if (hasher.VerifyHashedPassword(user, user.PasswordHash, PasswordPolicy.Normalize(password)) == PasswordVerificationResult.Failed)
        {
            return new AccountDeletionOutcome(AccountDeletionResult.WrongPassword);
        }

        var now = time.GetUtcNow().UtcDateTime;
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // Admins first, then the user, in the order UserAdministration locks them: an admin deleting their account while
        // another admin demotes them cannot leave the platform without an admin.
        var activeAdmins = (await connection.QueryAsync<Guid>(new CommandDefinition(
            "SELECT id FROM users WHERE 'admin' = ANY (roles) AND disabled_at IS NULL AND deleted_at IS NULL ORDER BY id FOR UPDATE",
            transaction: transaction, cancellationToken: cancellationToken))).AsList();
        var locked = await connection.QuerySingleOrDefaultAsync<(string Email, string[] Roles, bool Instructs)>(new CommandDefinition(
            """
            SELECT email, roles, EXISTS (SELECT 1 FROM courses WHERE instructor_id = users.id)
            FROM users WHERE id = @id AND deleted_at IS NULL FOR UPDATE
            """,
            new { id = user.Id }, transaction, cancellationToken: cancellationToken));
        if (locked.Email is null)
        {
            return new AccountDeletionOutcome(AccountDeletionResult.NotFound);
        }

        if (activeAdmins.Contains(user.Id) && activeAdmins.Count == 1)
        {
            return new AccountDeletionOutcome(AccountDeletionResult.LastAdmin);
        }

        var closed = await EraseAsync(transaction, user.Id, locked.Email, now, cancellationToken);
        await outbox.AppendAsync(transaction, AzoraEvents.UserDeleted, new UserDeletion(user.Id, now), cancellationToken);
        await mail.EnqueueAsync(transaction, Farewell(locked.Email), cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        await revocations.RevokeSessionsAsync(closed);
        if (locked.Instructs)
        {
            // Cached catalog pages name the instructor.
            await catalog.InvalidateAsync(cancellationToken);
        }

        return new AccountDeletionOutcome(AccountDeletionResult.Deleted);
    }

    /// <summary>
    /// Everything that names the person, inside the deletion's transaction; returns the sessions it closed. Webhook
    /// deliveries go before their subscriptions, the order the relay locks them in (see WebhookSubscriptions.DeleteAsync).
    /// </summary>
    private static async Task<IReadOnlyList<Guid>> EraseAsync(NpgsqlTransaction transaction, Guid id, string email, DateTime now, CancellationToken cancellationToken)
    {
        var connection = transaction.Connection!;
        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE users
            SET email = @placeholder, name = @name, bio = NULL, password_hash = '!deleted', roles = ARRAY['learner'],
                email_verified_at = NULL, deleted_at = @now, updated_at = @now, password_changed_at = @now
            WHERE id = @id;

            DELETE FROM api_keys WHERE user_id = @id;
            DELETE FROM webhook_deliveries WHERE subscription_id IN (SELECT id FROM webhook_subscriptions WHERE owner_id = @id);
            DELETE FROM webhook_subscriptions WHERE owner_id = @id;
            DELETE FROM account_tokens WHERE user_id = @id;

            DELETE FROM mail_messages WHERE (user_id = @id OR lower(recipient) = lower(@email)) AND status = 'pending';
            UPDATE mail_messages
            SET recipient = 'erased@deleted.invalid', subject = '(erased)', text_body = NULL, html_body = NULL, last_error = NULL
            WHERE user_id = @id OR lower(recipient) = lower(@email);

            UPDATE certificates SET learner_name = @name WHERE user_id = @id;

            UPDATE admin_audit SET actor = @auditActor WHERE actor_id = @id;
            UPDATE admin_audit SET before = before - @personal, after = after - @personal
            WHERE target_user_id = @id;
            """,
            new { id, email, placeholder = PlaceholderEmail(id), name = DeletedName, auditActor = DeletedAuditActor, personal = PersonalAuditKeys, now },
            transaction, cancellationToken: cancellationToken));
        return await AccountStore.RevokeAllSessionsAsync(transaction, id, "account_deleted", now, cancellationToken);
    }

    /// <summary>Not about the account any more (no user id), so nothing erases it before it is sent; migration 0013 erases it after.</summary>
    private static OutgoingMail Farewell(string email) => new(
        MailKinds.AccountDeleted,
        null,
        email,
        MailComposer.Render(new MailContent(
            "Your Azora account has been deleted",
            "Hello,",
            [
                "Your Azora account was deleted at your request. Your profile, sign-ins, API keys and webhook subscriptions are gone, " +
                "and this address is free to register again.",
                "Records we must keep for accounting (payments and enrollments) no longer name you.",
            ])));
}
