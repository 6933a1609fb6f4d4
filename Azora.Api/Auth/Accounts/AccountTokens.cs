using Azora.Api.Auth.Tokens;
using Dapper;
using Npgsql;

namespace Azora.Api.Auth.Accounts;

/// <summary>What an account token is for; its value is the <c>account_tokens.purpose</c> column.</summary>
public static class AccountTokenPurposes
{
    public const string VerifyEmail = "verify_email";
    public const string PasswordReset = "password_reset";
}

/// <summary>A token that was presented and accepted: whose it is and the address it was mailed to.</summary>
public sealed record AcceptedAccountToken(Guid UserId, string Email);

/// <summary>
/// Single-use tokens mailed to an account (email verification, password reset): 256 random bits, handed out once in a
/// link, kept only as their SHA-256 hash. Issuing a new token of a purpose retires the account's earlier unused ones,
/// so only the latest link works.
/// </summary>
public static class AccountTokens
{
    /// <summary>Issues a token inside the caller's transaction (the one that writes the mail carrying it); returns it.</summary>
    public static async Task<string> IssueAsync(
        NpgsqlTransaction transaction, Guid userId, string purpose, string email, DateTime now, TimeSpan lifetime, CancellationToken cancellationToken)
    {
        var token = RefreshTokens.Create();
        await transaction.Connection!.ExecuteAsync(new CommandDefinition(
            """
            UPDATE account_tokens SET used_at = @now WHERE user_id = @userId AND purpose = @purpose AND used_at IS NULL;
            INSERT INTO account_tokens (id, user_id, purpose, token_hash, email, created_at, expires_at)
            VALUES (@id, @userId, @purpose, @hash, @email, @now, @expiresAt);
            """,
            new { id = Guid.CreateVersion7(), userId, purpose, hash = RefreshTokens.Hash(token), email, now, expiresAt = now + lifetime },
            transaction, cancellationToken: cancellationToken));
        return token;
    }

    /// <summary>
    /// Uses a token inside the caller's transaction: returns its account and address when it exists, is for this
    /// purpose, is unused and unexpired, and marks it used; otherwise null (which of those failed is never told).
    /// </summary>
    public static async Task<AcceptedAccountToken?> ConsumeAsync(
        NpgsqlTransaction transaction, string purpose, string token, DateTime now, CancellationToken cancellationToken)
    {
        var accepted = await transaction.Connection!.QuerySingleOrDefaultAsync<(Guid UserId, string Email)>(new CommandDefinition(
            """
            UPDATE account_tokens SET used_at = @now
            WHERE token_hash = @hash AND purpose = @purpose AND used_at IS NULL AND expires_at > @now
            RETURNING user_id, email
            """,
            new { hash = RefreshTokens.Hash(token), purpose, now }, transaction, cancellationToken: cancellationToken));
        return accepted.UserId == Guid.Empty ? null : new AcceptedAccountToken(accepted.UserId, accepted.Email);
    }
}
