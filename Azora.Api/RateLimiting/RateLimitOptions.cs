using System.ComponentModel.DataAnnotations;

namespace Azora.Api.RateLimiting;

/// <summary>
/// Settings under <c>Azora:RateLimits</c>; every limit is a count per fixed window, shared through Redis. Development
/// raises the per-address limits (appsettings.Development.json), because behind Aspire's proxy every local client is
/// 127.0.0.1; tests that test the limits set their own.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "Azora:RateLimits";

    public bool Enabled { get; set; } = true;

    /// <summary>Prefix of the counters' Redis keys, so environments or instances sharing one Redis stay apart.</summary>
    [Required]
    public string KeyPrefix { get; set; } = "azora:ratelimit";

    /// <summary>Every request of a signed-in user, counted per user.</summary>
    public WindowLimit Authenticated { get; set; } = new() { PermitLimit = 1000, Window = TimeSpan.FromHours(1) };

    /// <summary>Every request without a valid access token, counted per client address.</summary>
    public WindowLimit Anonymous { get; set; } = new() { PermitLimit = 100, Window = TimeSpan.FromHours(1) };

    /// <summary>Login and register requests, counted per client address (IPv6: per /64), on top of the limits above.</summary>
    public WindowLimit Credentials { get; set; } = new() { PermitLimit = 10, Window = TimeSpan.FromMinutes(15) };

    /// <summary>
    /// Password checks for one account from one client address (login or password change), counted before the
    /// password is checked so that concurrent guesses cannot all slip through; a correct password counts too. Keyed by
    /// account and address, so a stranger's guesses never lock the owner out from the owner's own address.
    /// </summary>
    public WindowLimit LoginAttempts { get; set; } = new() { PermitLimit = 5, Window = TimeSpan.FromMinutes(15) };

    /// <summary>
    /// Password-reset mails to one address, whoever asks. Beyond it a request still answers 202 but writes no mail, so
    /// nobody can flood an inbox with reset links (and the answer tells nothing about the account).
    /// </summary>
    public WindowLimit PasswordResetMails { get; set; } = new() { PermitLimit = 3, Window = TimeSpan.FromHours(1) };

    /// <summary>Verification mails a signed-in account asks for (resend, email change), counted per account.</summary>
    public WindowLimit VerificationMails { get; set; } = new() { PermitLimit = 5, Window = TimeSpan.FromHours(1) };

    /// <summary>
    /// The share of a general limit (signed in, anonymous) that a replica reserves from the shared counter at once and
    /// then counts in memory; 0 reserves one permit per request, as the strict limits always do. Permits one replica
    /// holds unused can make another refuse early: by at most (replicas − 1) × lease requests per window.
    /// </summary>
    [Range(0.0, 0.1)]
    public double LeaseFraction { get; set; } = 0.01;

    /// <summary>
    /// The largest block a replica reserves at once, whatever the limit. Below 100,000 per window the fraction decides;
    /// a smaller cap made a busy caller with a high limit (a partner's key) wait for Redis every few milliseconds.
    /// </summary>
    [Range(1, 10_000)]
    public int MaximumLeaseSize { get; set; } = 1000;

    /// <summary>
    /// Permits a replica reserves at once for the policy: one for the strict limits (exact, as counted in Redis),
    /// otherwise <see cref="LeaseFraction"/> of the limit, at least one and at most <see cref="MaximumLeaseSize"/>.
    /// </summary>
    public int LeaseSizeFor(string policy) => RateLimitPolicies.IsStrict(policy)
        ? 1
        : (int)Math.Clamp(Math.Floor(For(policy).PermitLimit * LeaseFraction), 1, MaximumLeaseSize);

    public WindowLimit For(string policy) => policy switch
    {
        RateLimitPolicies.Authenticated => Authenticated,
        RateLimitPolicies.Anonymous => Anonymous,
        RateLimitPolicies.Credentials => Credentials,
        RateLimitPolicies.LoginAttempts => LoginAttempts,
        RateLimitPolicies.PasswordResetMails => PasswordResetMails,
        RateLimitPolicies.VerificationMails => VerificationMails,
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "Unknown rate-limit policy."),
    };
}

public sealed class WindowLimit
{
    [Range(1, int.MaxValue)]
    public int PermitLimit { get; set; }

    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan Window { get; set; }
}

public static class RateLimitPolicies
{
    public const string Authenticated = "user";
    public const string Anonymous = "anonymous";
    public const string Credentials = "credentials";
    public const string LoginAttempts = "login-attempts";
    public const string PasswordResetMails = "password-reset-mails";
    public const string VerificationMails = "verification-mails";

    public static readonly string[] All = [Authenticated, Anonymous, Credentials, LoginAttempts, PasswordResetMails, VerificationMails];

    /// <summary>
    /// The limits that guard passwords and inboxes. While Redis is unreachable they are kept in each replica's memory
    /// instead of failing open; the others (general traffic) fail open.
    /// </summary>
    public static bool IsStrict(string policy) => policy is Credentials or LoginAttempts or PasswordResetMails or VerificationMails;
}
