using System.ComponentModel.DataAnnotations;

namespace Azora.Api.Auth;

/// <summary>Settings under <c>Azora:Auth</c>; see docs/deployment/INFRASTRUCTURE-GUIDE.md.</summary>
public sealed class AuthOptions
{
    public const string Section = "Azora:Auth";

    [Required]
    public string Issuer { get; set; } = "https://api.azora.world";

    [Required]
    public string Audience { get; set; } = "azora-api";

    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    [Range(typeof(TimeSpan), "00:05:00", "365.00:00:00")]
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// The absolute lifetime of a session, counted from sign-in (register or login): refreshing never extends it past
    /// this, and a refresh after it answers 401 <c>SESSION_EXPIRED</c>. Measured from the session's start in
    /// PostgreSQL, so a change applies to open sessions too.
    /// </summary>
    [Range(typeof(TimeSpan), "00:05:00", "3650.00:00:00")]
    public TimeSpan SessionLifetime { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How long a password-reset link works after it was mailed (it works once).</summary>
    [Range(typeof(TimeSpan), "00:05:00", "1.00:00:00")]
    public TimeSpan PasswordResetTokenLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How long an email verification link (after registering or asking to change the email) can be used.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "7.00:00:00")]
    public TimeSpan VerificationTokenLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// How often each replica reads the sessions revoked since its last read from PostgreSQL, besides the revocations
    /// pushed to it through Redis: the longest a revoked access token can still be accepted by a replica that missed the
    /// message (a replica that cannot reach Redis asks PostgreSQL on every request instead).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan RevocationRefreshInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// RSA keys in PEM. The first key that has a private part signs; every key is published in the JWKS and accepted,
    /// so a new key can be added first and the old one kept (public part only) until its tokens have expired.
    /// </summary>
    public List<SigningKeyOptions> SigningKeys { get; set; } = [];

    /// <summary>
    /// Where a Development key is kept when <see cref="SigningKeys"/> is empty; created on first use. The AppHost
    /// points every service at one file in its data directory. Never used outside Development.
    /// </summary>
    public string? DevelopmentKeyFile { get; set; }
}

public sealed class SigningKeyOptions
{
    /// <summary>The <c>kid</c>; defaults to the key's RFC 7638 thumbprint.</summary>
    public string? KeyId { get; set; }

    /// <summary>A PKCS#8 or PKCS#1 private key (signs and verifies), or a public key only (verifies).</summary>
    [Required]
    public string Pem { get; set; } = "";
}
