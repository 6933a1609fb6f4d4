using System.Security.Cryptography;
using System.Text;
using Azora.Api.Auth.Accounts;
using Azora.Api.Auth.Passwords;
using Azora.Api.Auth.Tokens;
using Azora.Api.RateLimiting;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Azora.Api.Auth;

public sealed record LoginOutcome(TokenResponse? Tokens, RateLimitState? Throttled, bool Disabled = false);

public sealed record PasswordChangeOutcome(bool Changed, RateLimitState? Throttled);

/// <summary>The account flows behind the auth endpoints: passwords, sessions and tokens.</summary>
public sealed class AuthService(
    AccountStore accounts,
    IPasswordHasher<UserAccount> hasher,
    PasswordPolicy policy,
    AccessTokenIssuer accessTokens,
    TokenRevocations revocations,
    DistributedRateLimits rateLimits,
    IOptions<AuthOptions> options,
    TimeProvider time,
    AuthMetrics metrics)
{
    // Verified against when the email is unknown, so a login costs the same whether or not the account exists.
    private readonly Lazy<string> _decoyHash = new(() => hasher.HashPassword(null!, Convert.ToHexString(RandomNumberGenerator.GetBytes(16))));

    public PasswordPolicy Policy => policy;

    /// <param name="client">The caller's rate-limit key (<see cref="ClientKeys"/>).</param>
    public async Task<LoginOutcome> LoginAsync(string email, string password, string client, CancellationToken cancellationToken)
    {
        if (await rateLimits.AcquireAsync(RateLimitPolicies.LoginAttempts, AttemptKey(email, client)) is { Allowed: false } exhausted)
        {
            metrics.Login("throttled");
            return new LoginOutcome(null, exhausted);
        }

        var user = await accounts.FindByEmailAsync(email, cancellationToken);
        var verdict = hasher.VerifyHashedPassword(user!, user?.PasswordHash ?? _decoyHash.Value, PasswordPolicy.Normalize(password));
        if (user is null || verdict == PasswordVerificationResult.Failed)
        {
            metrics.Login("failed");
            return new LoginOutcome(null, null);
        }

        // Said only to whoever knows the password, so it tells a guesser nothing.
        if (user.DisabledAt is not null)
        {
            metrics.Login("disabled");
            return new LoginOutcome(null, null, Disabled: true);
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            await accounts.UpdatePasswordHashAsync(user.Id, hasher.HashPassword(user, PasswordPolicy.Normalize(password)), passwordChanged: false, now, cancellationToken);
        }

        var sessionId = Guid.CreateVersion7();
        var refreshToken = RefreshTokens.Create();
        await accounts.StartSessionAsync(
            user.Id, sessionId, RefreshTokens.Hash(refreshToken), now, now + options.Value.RefreshTokenLifetime, cancellationToken);
        metrics.Login("succeeded");
        return new LoginOutcome(Tokens(user, sessionId, refreshToken), null);
    }

    public async Task<(RefreshOutcome Outcome, TokenResponse? Tokens)> RefreshAsync(string refreshToken, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var next = RefreshTokens.Create();
        var result = await accounts.RotateAsync(
            RefreshTokens.Hash(refreshToken), RefreshTokens.Hash(next), now, options.Value.RefreshTokenLifetime, options.Value.SessionLifetime,
            cancellationToken);
        switch (result.Outcome)
        {
            case RefreshOutcome.Reused or RefreshOutcome.SessionExpired:
                await revocations.RevokeSessionsAsync([result.SessionId]);
                return (result.Outcome, null);
            case RefreshOutcome.Rotated when await accounts.FindByIdAsync(result.UserId, cancellationToken) is { DisabledAt: null } user:
                return (result.Outcome, Tokens(user, result.SessionId, next));
            default:
                return (result.Outcome, null);
        }
    }

    public async Task LogoutAsync(CurrentUser current, CancellationToken cancellationToken)
    {
        await accounts.RevokeSessionAsync(current.SessionId, "logout", time.GetUtcNow().UtcDateTime, cancellationToken);
        await revocations.RevokeSessionsAsync([current.SessionId]);
    }

    public async Task<PasswordChangeOutcome> ChangePasswordAsync(
        CurrentUser current, string currentPassword, string newPassword, string client, CancellationToken cancellationToken)
    {
        var user = await accounts.FindByIdAsync(current.UserId, cancellationToken);
        if (user is null)
        {
            return new PasswordChangeOutcome(false, null);
        }

        if (await rateLimits.AcquireAsync(RateLimitPolicies.LoginAttempts, AttemptKey(user.Email, client)) is { Allowed: false } exhausted)
        {
            return new PasswordChangeOutcome(false, exhausted);
        }

        if (hasher.VerifyHashedPassword(user, user.PasswordHash, PasswordPolicy.Normalize(currentPassword)) == PasswordVerificationResult.Failed)
        {
            return new PasswordChangeOutcome(false, null);
        }

        var now = time.GetUtcNow().UtcDateTime;
        await accounts.UpdatePasswordHashAsync(user.Id, hasher.HashPassword(user, PasswordPolicy.Normalize(newPassword)), passwordChanged: true, now, cancellationToken);
        var closed = await accounts.RevokeOtherSessionsAsync(user.Id, current.SessionId, "password_changed", now, cancellationToken);
        await revocations.RevokeSessionsAsync(closed);
        return new PasswordChangeOutcome(true, null);
    }

    /// <summary>
    /// Password attempts are counted per account and client address, without putting emails into Redis: a stranger's
    /// guesses spend the stranger's allowance, never the owner's.
    /// </summary>
    internal static string AttemptKey(string email, string client) =>
        $"{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant())), 0, 16)}:{client}";

    private TokenResponse Tokens(UserAccount user, Guid sessionId, string refreshToken)
    {
        var access = accessTokens.Issue(user.Id, sessionId, user.Email, user.Name, user.Roles);
        return new TokenResponse(
            access.Token,
            refreshToken,
            "Bearer",
            (int)options.Value.AccessTokenLifetime.TotalSeconds,
            new UserResponse(user.Id, user.Email, user.Name, user.Roles));
    }
}
