using System.ComponentModel.DataAnnotations;

namespace Azora.Api.RateLimiting;

/// <summary>Settings under <c>Azora:RateLimits</c>; every limit is a count per fixed window, shared through Redis.</summary>
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

    /// <summary>Login and register requests, counted per client address, on top of the limits above.</summary>
    public WindowLimit Credentials { get; set; } = new() { PermitLimit = 10, Window = TimeSpan.FromMinutes(15) };

    /// <summary>Wrong passwords for one account (login or password change), from any address.</summary>
    public WindowLimit FailedLogins { get; set; } = new() { PermitLimit = 5, Window = TimeSpan.FromMinutes(15) };

    public WindowLimit For(string policy) => policy switch
    {
        RateLimitPolicies.Authenticated => Authenticated,
        RateLimitPolicies.Anonymous => Anonymous,
        RateLimitPolicies.Credentials => Credentials,
        RateLimitPolicies.FailedLogins => FailedLogins,
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
    public const string FailedLogins = "failed-logins";

    public static readonly string[] All = [Authenticated, Anonymous, Credentials, FailedLogins];
}
