using System.ComponentModel.DataAnnotations;
using MailKit.Security;

namespace Azora.Payments.Mail;

/// <summary>
/// The SMTP relay the worker sends through, under <c>Azora:Mail:Smtp</c>. Locally the AppHost points it at the
/// smtp4dev catcher; deployments name their relay and take <see cref="Password"/> from a secret.
/// </summary>
public sealed class SmtpOptions
{
    public const string Section = "Azora:Mail:Smtp";

    /// <summary>The relay's host name. Empty in Development means "this worker sends no mail"; required elsewhere.</summary>
    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    /// <summary>
    /// How the connection is secured (MailKit's <see cref="SecureSocketOptions"/>): <c>StartTls</c> (port 587),
    /// <c>SslOnConnect</c> (port 465), <c>Auto</c> (by port), or <c>None</c> (the local catcher only).
    /// </summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.StartTls;

    /// <summary>Empty: no authentication.</summary>
    public string? Username { get; set; }

    /// <summary>A secret: user secrets locally, a Kubernetes Secret in clusters; never in appsettings.</summary>
    public string? Password { get; set; }

    /// <summary>
    /// Each SMTP operation (connect, authenticate, send) gives up after this long. Below Azora:ShutdownTimeout (25 s),
    /// so a send in flight at SIGTERM ends, and is recorded, before the process does.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Host);
}

/// <summary>How the worker's mail sender paces itself, under <c>Azora:Mail:Sender</c>.</summary>
public sealed class MailSenderOptions
{
    public const string Section = "Azora:Mail:Sender";

    /// <summary>How often the sender looks for due messages when the previous pass found none.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Messages claimed per pass.</summary>
    [Range(1, 1000)]
    public int BatchSize { get; set; } = 50;

    /// <summary>
    /// Messages sent at once, each over its own SMTP connection (kept for the pass). Also the most messages a crash can
    /// send twice: those between the relay's acceptance and the recording of it.
    /// </summary>
    [Range(1, 64)]
    public int Parallelism { get; set; } = 4;

    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan MaximumRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>With the delays above, 12 attempts spread over about six hours; then the message is failed.</summary>
    [Range(1, 100)]
    public int MaximumAttempts { get; set; } = 12;

    /// <summary>
    /// How long a claimed message belongs to the worker that claimed it. A worker that dies leaves its messages to be
    /// claimed again when the lease ends; a live one starts no send it could not finish within it.
    /// </summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(5);
}
