using Ganss.Xss;
using Markdig;
using Markdig.Syntax;

namespace Azora.Web.Components.Learning;

/// <summary>
/// A lesson's Markdown as HTML a learner's browser can be given. The author's text is untrusted: raw HTML in it is shown
/// as text (Markdig with HTML disabled), and the HTML Markdig makes is then cut down to a fixed set of formatting tags and
/// attributes with http, https and mailto links only, so no script, event handler, <c>javascript:</c> URL, iframe, form
/// or style survives whatever Markdig lets through.
/// </summary>
public static class LessonMarkdown
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .DisableHtml()
        .UseEmphasisExtras()
        .UsePipeTables()
        .UseAutoLinks()
        .Build();

    private static readonly HtmlSanitizer Sanitizer = CreateSanitizer();

    public static string ToHtml(string? markdown)
    {
        if (string.IsNullOrWhiteSpace(markdown))
        {
            return "";
        }

        var document = Markdown.Parse(markdown, Pipeline);
        // The page's own h1 is the lesson's title: the content's headings sit one level below it.
        foreach (var heading in document.Descendants<HeadingBlock>())
        {
            heading.Level = Math.Min(heading.Level + 1, 6);
        }

        return Sanitizer.Sanitize(document.ToHtml(Pipeline));
    }

    private static HtmlSanitizer CreateSanitizer()
    {
        var sanitizer = new HtmlSanitizer(new HtmlSanitizerOptions
        {
            AllowedTags = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
            {
                "p", "h2", "h3", "h4", "h5", "h6", "em", "strong", "del", "ins", "mark", "sub", "sup", "code", "pre", "blockquote",
                "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "hr", "br",
            },
            AllowedAttributes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "href", "src", "alt", "title", "start" },
            AllowedSchemes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "http", "https", "mailto" },
            UriAttributes = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { "href", "src" },
            AllowedCssProperties = new HashSet<string>(),
        })
        {
            // Should anything unexpected reach the sanitiser, its tag goes but the learner keeps the words.
            KeepChildNodes = true,
        };
        // Links in a lesson lead off the site: they carry no referrer or opener and earn the target no ranking.
        sanitizer.PostProcessNode += (_, args) =>
        {
            if (args.Node is AngleSharp.Dom.IElement { LocalName: "a" } link && link.HasAttribute("href"))
            {
                link.SetAttribute("rel", "nofollow noopener noreferrer");
            }
        };
        return sanitizer;
    }
}
