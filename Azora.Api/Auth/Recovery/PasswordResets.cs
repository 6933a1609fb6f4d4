using System.Security.Cryptography;
using System.Text;
using Azora.Api.Auth.Accounts;
using Azora.Api.Auth.Passwords;
using Azora.Api.Auth.Tokens;
using Azora.Api.RateLimiting;
using Azora.Contract.Mail;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Azora.Api.Auth.Recovery;

public enum PasswordResetOutcome { Reset, InvalidToken }

/// <summary>
/// Password reset by mail: a single-use link (<see cref="AccountTokens"/>) to the account's address, and the change of
/// password it allows, which closes every session and tells the owner by mail.
/// </summary>
public sealed class PasswordResets(
    NpgsqlDataSource database,
    DistributedRateLimits rateLimits,
    IPasswordHasher<UserAccount> hasher,
    MailOutbox mail,
    IOptions<MailOptions> mailOptions,
    IOptions<AuthOptions> authOptions,
    TokenRevocations revocations,
    TimeProvider time,
    ILogger<PasswordResets> logger)
{
    /// <summary>
    /// Mails a reset link when an active account uses the address and the address's mail allowance is not spent;
    /// otherwise does nothing. Runs off the request (<see cref="PasswordResetMailer"/>), so nobody learns which happened.
    /// </summary>
    public async Task MailResetLinkAsync(string email, CancellationToken cancellationToken)
    {
        // Counted for unknown addresses too, and before the lookup, so the allowance says nothing about the account.
        if (await rateLimits.AcquireAsync(RateLimitPolicies.PasswordResetMails, AddressKey(email)) is { Allowed: false })
        {
            logger.LogInformation("Password-reset mail not sent: the address's allowance is spent");
            return;
        }

        var now = time.GetUtcNow().UtcDateTime;
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var user = await connection.QuerySingleOrDefaultAsync<UserAccount>(new CommandDefinition(
            $"SELECT {AccountStore.UserColumns} FROM users WHERE lower(email) = lower(@email) AND deleted_at IS NULL AND disabled_at IS NULL FOR UPDATE",
            new { email }, transaction, cancellationToken: cancellationToken));
        if (user is null)
        {
            return;
        }

        var lifetime = authOptions.Value.PasswordResetTokenLifetime;
        var token = await AccountTokens.IssueAsync(transaction, user.Id, AccountTokenPurposes.PasswordReset, user.Email, now, lifetime, cancellationToken);
        var minutes = (int)Math.Round(lifetime.TotalMinutes);
        var content = MailComposer.Render(new MailContent(
            "Reset your Azora password",
            $"Hello {user.Name},",
            ["Someone (we hope you) asked to reset the password of your Azora account. Choose a new password with the link below."],
            new MailAction("Choose a new password", mailOptions.Value.Link("/reset-password", new Dictionary<string, string> { ["token"] = token })),
            Footnote: $"The link works once, for {minutes} minutes. If you did not ask for it, ignore this message: your password stays as it is."));
        await mail.EnqueueAsync(transaction, new OutgoingMail(MailKinds.PasswordReset, user.Id, user.Email, content), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Uses a reset token: sets the new password (already checked against the policy), marks the address verified (the
    /// owner read mail sent to it), closes every session and mails the owner. A token of an account that was disabled,
    /// deleted or given another address after the link was sent is used up and refused.
    /// </summary>
    public async Task<PasswordResetOutcome> ResetAsync(string token, string newPassword, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var accepted = await AccountTokens.ConsumeAsync(transaction, AccountTokenPurposes.PasswordReset, token, now, cancellationToken);
        if (accepted is null)
        {
            return PasswordResetOutcome.InvalidToken;
        }

        var user = await connection.QuerySingleOrDefaultAsync<UserAccount>(new CommandDefinition(
            $"SELECT {AccountStore.UserColumns} FROM users WHERE id = @id AND deleted_at IS NULL FOR UPDATE",
            new { id = accepted.UserId }, transaction, cancellationToken: cancellationToken));
        if (user is null || user.DisabledAt is not null || !string.Equals(user.Email, accepted.Email, StringComparison.OrdinalIgnoreCase))
        {
            await transaction.CommitAsync(cancellationToken);
            return PasswordResetOutcome.InvalidToken;
        }

        await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE users
            SET password_hash = @hash, password_changed_at = @now, updated_at = @now, email_verified_at = coalesce(email_verified_at, @now)
            WHERE id = @id
            """,
            new { id = user.Id, hash = hasher.HashPassword(user, PasswordPolicy.Normalize(newPassword)), now }, transaction, cancellationToken: cancellationToken));
        var closed = await AccountStore.RevokeAllSessionsAsync(transaction, user.Id, "password_reset", now, cancellationToken);
        var content = MailComposer.Render(new MailContent(
            "Your Azora password was changed",
            $"Hello {user.Name},",
            [
                "The password of your Azora account was just changed with a reset link, and every device signed in to the account was signed out.",
                "If you did not do this, reset your password again at once and check the address your mail goes to.",
            ],
            new MailAction("Sign in", mailOptions.Value.Link("/login"))));
        await mail.EnqueueAsync(transaction, new OutgoingMail(MailKinds.PasswordChanged, user.Id, user.Email, content), cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await revocations.RevokeSessionsAsync(closed);
        return PasswordResetOutcome.Reset;
    }

    /// <summary>The address's rate-limit key: a hash, so no address is written to Redis.</summary>
    private static string AddressKey(string email) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant())), 0, 16);
}
