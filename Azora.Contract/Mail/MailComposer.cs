using System.Net;
using System.Text;

namespace Azora.Contract.Mail;

/// <summary>A message's subject and its two bodies, as the sender sends them (multipart/alternative).</summary>
public sealed record RenderedMail(string Subject, string Text, string Html);

/// <summary>A button-like link in a message, written out in full in the plain-text part.</summary>
public sealed record MailAction(string Label, Uri Url);

/// <summary>
/// What a message says, in paragraphs of plain text, with at most one action link and an optional table of facts
/// (a receipt's lines). <see cref="MailComposer"/> renders it: every value is HTML-encoded, so nothing a user typed
/// (a name, a course title) can become markup.
/// </summary>
public sealed record MailContent(
    string Subject,
    string Greeting,
    IReadOnlyList<string> Paragraphs,
    MailAction? Action = null,
    IReadOnlyList<KeyValuePair<string, string>>? Facts = null,
    string? Footnote = null);

public static class MailComposer
{
    public const string Signature = "— The Azora team";

    public static RenderedMail Render(MailContent content)
    {
        var text = new StringBuilder().Append(content.Greeting).Append("\n\n");
        var html = new StringBuilder()
            .Append("<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>").Append(Encode(content.Subject)).Append("</title></head>")
            .Append("<body style=\"font-family:system-ui,-apple-system,'Segoe UI',sans-serif;color:#1a1a1a;line-height:1.5;max-width:560px;margin:0 auto;padding:24px\">")
            .Append("<p>").Append(Encode(content.Greeting)).Append("</p>");

        foreach (var paragraph in content.Paragraphs)
        {
            text.Append(paragraph).Append("\n\n");
            html.Append("<p>").Append(Encode(paragraph)).Append("</p>");
        }

        if (content.Facts is { Count: > 0 } facts)
        {
            html.Append("<table role=\"presentation\" style=\"border-collapse:collapse\">");
            foreach (var (label, value) in facts)
            {
                text.Append(label).Append(": ").Append(value).Append('\n');
                html.Append("<tr><th scope=\"row\" style=\"text-align:left;padding:2px 16px 2px 0\">").Append(Encode(label))
                    .Append("</th><td>").Append(Encode(value)).Append("</td></tr>");
            }

            text.Append('\n');
            html.Append("</table>");
        }

        if (content.Action is { } action)
        {
            var url = action.Url.AbsoluteUri;
            text.Append(action.Label).Append(":\n").Append(url).Append("\n\n");
            html.Append("<p><a href=\"").Append(Encode(url))
                .Append("\" style=\"display:inline-block;background:#1d4ed8;color:#ffffff;padding:10px 18px;border-radius:6px;text-decoration:none\">")
                .Append(Encode(action.Label)).Append("</a></p>")
                .Append("<p style=\"font-size:13px;color:#555\">Or paste this link into your browser: ").Append(Encode(url)).Append("</p>");
        }

        if (content.Footnote is { } footnote)
        {
            text.Append(footnote).Append("\n\n");
            html.Append("<p style=\"font-size:13px;color:#555\">").Append(Encode(footnote)).Append("</p>");
        }

        text.Append(Signature).Append('\n');
        html.Append("<p>").Append(Encode(Signature)).Append("</p></body></html>");
        return new RenderedMail(content.Subject, text.ToString(), html.ToString());
    }

    private static string Encode(string value) => WebUtility.HtmlEncode(value);
}
