using k8s.Models;

namespace Azora.Manifests.Generation;

/// <summary>
/// One environment's mail: where links in mail point and who it is from (api and payments), and the SMTP relay the
/// payments worker submits it to. They are the values of the AppHost's mail parameters (MailPublishing) and of the
/// relay's egress rule, so the port the worker dials is the port the network policy opens. The relay's password is the
/// Secret <c>azora-mail</c>. Hosts and usernames depend on the organisation's mail provider: change them here and run
/// <c>scripts/generate-manifests.sh</c> (docs/deployment/INFRASTRUCTURE-GUIDE.md, "Mail").
/// </summary>
public sealed record MailSettings(Uri PublicBaseUrl, string FromAddress, string SmtpHost, int SmtpPort, string SmtpSecurity, string SmtpUsername)
{
    /// <summary>The workload that sends mail.</summary>
    public const string Sender = "payments";

    public const int SubmissionPort = 587;

    /// <summary>
    /// The organisation's test relay: it accepts every message and delivers none outside (a catch-all inbox), so
    /// staging, whose accounts are made by tests, never mails a real person, and its egress rule is production's.
    /// </summary>
    public static readonly MailSettings Staging = new(
        new Uri("https://staging.azora.world"), "no-reply@staging.azora.world", "smtp-test.azora.world", SubmissionPort, "StartTls", "azora-staging");

    /// <summary>The organisation's outgoing relay (or the mail provider's submission host), authenticated, with STARTTLS.</summary>
    public static readonly MailSettings Production = new(
        new Uri("https://azora.world"), "no-reply@azora.world", "smtp-relay.azora.world", SubmissionPort, "StartTls", "azora-production");

    /// <summary>Values for the AppHost's non-secret mail parameters.</summary>
    public IReadOnlyDictionary<string, string> ParameterValues() => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["mail-public-base-url"] = PublicBaseUrl.AbsoluteUri,
        ["mail-from-address"] = FromAddress,
        ["smtp-host"] = SmtpHost,
        ["smtp-port"] = SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["smtp-security"] = SmtpSecurity,
        ["smtp-username"] = SmtpUsername,
    };

    /// <summary>The worker to the relay's port on public addresses only, like HTTPS: never an in-cluster or cloud-internal address.</summary>
    public V1NetworkPolicy SmtpEgress() => NetworkPolicies.Policy("smtp-egress", NetworkPolicies.NameSelector(Sender), ingress: null, egress:
    [
        new V1NetworkPolicyEgressRule
        {
            To = [new V1NetworkPolicyPeer { IpBlock = new V1IPBlock { Cidr = "0.0.0.0/0", Except = NetworkPolicies.NonPublicIpv4 } }],
            Ports = [NetworkPolicies.Port(SmtpPort, "TCP")],
        },
    ]);
}
