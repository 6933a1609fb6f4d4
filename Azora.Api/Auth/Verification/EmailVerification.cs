using Azora.Api.Auth.Accounts;
using Azora.Api.Auth.Passwords;
using Azora.Api.RateLimiting;
using Azora.Contract.Mail;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Azora.Api.Auth.Verification;

public enum VerifyOutcome { Verified, InvalidToken, EmailTaken }

public enum ResendOutcome { Sent, AlreadyVerified, Throttled, AccountGone }

public enum EmailChangeOutcome { Accepted, WrongPassword, SameEmail, Throttled, AccountGone }

/// <summary>What a resend or an email change did: the address mailed, or the limit that refused it.</summary>
public sealed record VerificationMailResult<TOutcome>(TOutcome Outcome, string? Email = null, RateLimitState? Throttled = null);

/// <summary>
/// Registration, email verification and email changes. Every verification link carries a single-use token
/// (<see cref="AccountTokens"/>) whose <c>email</c> is the address it proves: the account's own address after
/// registering, or the new address after an email change, which is applied only when its link is used. The token and
/// its mail are written in one transaction. An account has at most one live verification link: issuing one retires
/// the earlier one.
/// </summary>
public sealed class EmailVerification(
    NpgsqlDataSource database,
    AccountStore accounts,
    MailOutbox outbox,
    IOptions<MailOptions> mail,
    IOptions<AuthOptions> auth,
    IPasswordHasher<UserAccount> hasher,
    DistributedRateLimits rateLimits,
    TimeProvider time)
{
    private const string UniqueViolation = "23505";

    /// <summary>
    /// Creates an unverified learner account and mails it a verification link; when the address already has an
    /// account, mails its owner a notice instead. Both paths hash the password and write one message, so neither the
    /// answer nor the work behind it tells the caller which happened.
    /// </summary>
    public async Task RegisterAsync(string email, string name, string password, IReadOnlyList<string> roles, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var user = new UserAccount { Id = Guid.CreateVersion7(), Email = email, Name = name, PasswordHash = "", Roles = [.. roles], CreatedAt = now };
        user = user with { PasswordHash = hasher.HashPassword(user, PasswordPolicy.Normalize(password)) };

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var created = await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO users (id, email, name, password_hash, roles, created_at, updated_at, password_changed_at)
            VALUES (@Id, @Email, @Name, @PasswordHash, @Roles, @CreatedAt, @CreatedAt, @CreatedAt)
            ON CONFLICT DO NOTHING
            """,
            user, transaction, cancellationToken: cancellationToken)) == 1;

        if (created)
        {
            await SendVerificationAsync(transaction, user.Id, email, VerificationMails.VerifyNewAccount, now, cancellationToken);
        }
        else
        {
            var owner = await connection.QuerySingleOrDefaultAsync<(Guid Id, string Email, string Name)>(new CommandDefinition(
                "SELECT id, email, name FROM users WHERE lower(email) = lower(@email) AND deleted_at IS NULL",
                new { email }, transaction, cancellationToken: cancellationToken));
            if (owner.Id != Guid.Empty)
            {
                await outbox.EnqueueAsync(transaction, new OutgoingMail(
                    MailKinds.RegistrationAttempt, owner.Id, owner.Email,
                    VerificationMails.RegistrationAttempt(owner.Name, mail.Value.Link("/reset-password"))), cancellationToken);
            }
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Uses a verification token: marks the account's address verified, or, for an email change, moves the account to
    /// the new address and tells the old one. A new address taken in the meantime by another account leaves everything
    /// as it was, the token unused (<see cref="VerifyOutcome.EmailTaken"/>).
    /// </summary>
    public async Task<VerifyOutcome> VerifyAsync(string token, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (await AccountTokens.ConsumeAsync(transaction, AccountTokenPurposes.VerifyEmail, token, now, cancellationToken) is not { } accepted)
        {
            return VerifyOutcome.InvalidToken;
        }

        var user = await connection.QuerySingleOrDefaultAsync<(Guid Id, string Email, string Name)>(new CommandDefinition(
            "SELECT id, email, name FROM users WHERE id = @UserId AND deleted_at IS NULL FOR UPDATE",
            accepted, transaction, cancellationToken: cancellationToken));
        if (user.Id == Guid.Empty)
        {
            return VerifyOutcome.InvalidToken;
        }

        if (string.Equals(user.Email, accepted.Email, StringComparison.OrdinalIgnoreCase))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                "UPDATE users SET email_verified_at = coalesce(email_verified_at, @now), updated_at = @now WHERE id = @Id",
                new { user.Id, now }, transaction, cancellationToken: cancellationToken));
        }
        else
        {
            try
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE users SET email = @email, email_verified_at = @now, updated_at = @now WHERE id = @Id",
                    new { user.Id, email = accepted.Email, now }, transaction, cancellationToken: cancellationToken));
            }
            catch (PostgresException ex) when (ex.SqlState == UniqueViolation)
            {
                return VerifyOutcome.EmailTaken;
            }

            await outbox.EnqueueAsync(transaction, new OutgoingMail(
                MailKinds.EmailChanged, user.Id, user.Email, VerificationMails.EmailChanged(user.Name, accepted.Email)), cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return VerifyOutcome.Verified;
    }

    /// <summary>
    /// Mails a new link (the earlier one stops working) for what is waiting to be verified: an email change whose link
    /// is still live, else the account's own unverified address.
    /// </summary>
    public async Task<VerificationMailResult<ResendOutcome>> ResendAsync(Guid userId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var user = await connection.QuerySingleOrDefaultAsync<(Guid Id, string Email, DateTime? VerifiedAt)>(new CommandDefinition(
            "SELECT id, email, email_verified_at FROM users WHERE id = @userId AND deleted_at IS NULL FOR UPDATE",
            new { userId }, transaction, cancellationToken: cancellationToken));
        if (user.Id == Guid.Empty)
        {
            return new(ResendOutcome.AccountGone);
        }

        var pending = await connection.QueryFirstOrDefaultAsync<string?>(new CommandDefinition(
            """
            SELECT email FROM account_tokens
            WHERE user_id = @userId AND purpose = @purpose AND used_at IS NULL AND expires_at > @now
            ORDER BY created_at DESC LIMIT 1
            """,
            new { userId, purpose = AccountTokenPurposes.VerifyEmail, now }, transaction, cancellationToken: cancellationToken));
        var pendingChange = pending is not null && !string.Equals(pending, user.Email, StringComparison.OrdinalIgnoreCase) ? pending : null;
        var target = pendingChange ?? (user.VerifiedAt is null ? user.Email : null);
        if (target is null)
        {
            return new(ResendOutcome.AlreadyVerified);
        }

        if (await rateLimits.AcquireAsync(RateLimitPolicies.VerificationMails, userId.ToString()) is { Allowed: false } exhausted)
        {
            return new(ResendOutcome.Throttled, Throttled: exhausted);
        }

        await SendVerificationAsync(
            transaction, userId, target, pendingChange is null ? VerificationMails.VerifyNewAccount : VerificationMails.VerifyNewAddress, now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new(ResendOutcome.Sent, target);
    }

    /// <summary>
    /// Asks to move the account to <paramref name="newEmail"/>: checks the password, then mails a verification link to
    /// the new address; nothing changes until it is used. An address that belongs to another account is answered the
    /// same way (<see cref="EmailChangeOutcome.Accepted"/>) but mailed nothing, so the endpoint cannot be used to find
    /// out who is registered.
    /// </summary>
    public async Task<VerificationMailResult<EmailChangeOutcome>> ChangeEmailAsync(
        Guid userId, string newEmail, string currentPassword, string client, CancellationToken cancellationToken)
    {
        var user = await accounts.FindByIdAsync(userId, cancellationToken);
        if (user is null)
        {
            return new(EmailChangeOutcome.AccountGone);
        }

        if (await rateLimits.AcquireAsync(RateLimitPolicies.LoginAttempts, AuthService.AttemptKey(user.Email, client)) is { Allowed: false } guesses)
        {
            return new(EmailChangeOutcome.Throttled, Throttled: guesses);
        }

        if (hasher.VerifyHashedPassword(user, user.PasswordHash, PasswordPolicy.Normalize(currentPassword)) == PasswordVerificationResult.Failed)
        {
            return new(EmailChangeOutcome.WrongPassword);
        }

        if (string.Equals(user.Email, newEmail, StringComparison.OrdinalIgnoreCase))
        {
            return new(EmailChangeOutcome.SameEmail);
        }

        if (await rateLimits.AcquireAsync(RateLimitPolicies.VerificationMails, userId.ToString()) is { Allowed: false } mails)
        {
            return new(EmailChangeOutcome.Throttled, Throttled: mails);
        }

        var now = time.GetUtcNow().UtcDateTime;
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var taken = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower(@newEmail) AND id <> @userId)",
            new { newEmail, userId }, transaction, cancellationToken: cancellationToken));
        if (!taken)
        {
            await SendVerificationAsync(transaction, userId, newEmail, VerificationMails.VerifyNewAddress, now, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
        return new(EmailChangeOutcome.Accepted, newEmail);
    }

    private async Task SendVerificationAsync(
        NpgsqlTransaction transaction, Guid userId, string email, Func<Uri, TimeSpan, RenderedMail> compose, DateTime now, CancellationToken cancellationToken)
    {
        var lifetime = auth.Value.VerificationTokenLifetime;
        var token = await AccountTokens.IssueAsync(transaction, userId, AccountTokenPurposes.VerifyEmail, email, now, lifetime, cancellationToken);
        var link = mail.Value.Link("/verify-email", new Dictionary<string, string> { ["token"] = token });
        await outbox.EnqueueAsync(transaction, new OutgoingMail(MailKinds.VerifyEmail, userId, email, compose(link, lifetime)), cancellationToken);
    }
}
