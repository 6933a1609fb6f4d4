using System.ComponentModel.DataAnnotations;

namespace Azora.Contract.Mail;

/// <summary>
/// Settings under <c>Azora:Mail</c> that every service writing mail shares: who it is from and where its links point.
/// The worker's SMTP connection has settings of its own (docs/deployment/INFRASTRUCTURE-GUIDE.md).
/// </summary>
public sealed class MailOptions
{
    public const string Section = "Azora:Mail";

    /// <summary>The web front end's address; links in mail are built from it (<see cref="Link"/>).</summary>
    [Required]
    public Uri PublicBaseUrl { get; set; } = new("https://azora.world");

    [Required, EmailAddress]
    public string FromAddress { get; set; } = "no-reply@azora.world";

    [Required]
    public string FromName { get; set; } = "Azora";

    /// <summary>An absolute link to a page of the front end, with its query string escaped.</summary>
    public Uri Link(string path, IReadOnlyDictionary<string, string>? query = null)
    {
        var builder = new UriBuilder(new Uri(PublicBaseUrl, path));
        if (query is { Count: > 0 })
        {
            builder.Query = string.Join('&', query.Select(pair => $"{Uri.EscapeDataString(pair.Key)}={Uri.EscapeDataString(pair.Value)}"));
        }

        return builder.Uri;
    }
}
