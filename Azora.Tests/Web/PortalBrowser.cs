using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Azora.Tests.Api;
using Azora.Tests.Stack;

namespace Azora.Tests.Web;

/// <summary>
/// The portal as a browser without JavaScript uses it: cookies kept, redirects followed, forms posted with their hidden
/// fields (anti-forgery token, handler name) and the values a person types.
/// </summary>
internal sealed class PortalBrowser : IDisposable
{
    private readonly HttpClient _http;

    private PortalBrowser(HttpClient http, CookieContainer cookies)
    {
        _http = http;
        Cookies = cookies;
    }

    public CookieContainer Cookies { get; }

    public Uri BaseAddress => _http.BaseAddress!;

    /// <summary>Where the last page was read from, after redirects.</summary>
    public Uri? Location { get; private set; }

    public static async Task<PortalBrowser> OpenAsync(AzoraStackFixture stack, bool followRedirects = true)
    {
        await stack.App.ResourceNotifications.WaitForResourceHealthyAsync("web");
        var cookies = new CookieContainer();
        var handler = new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = followRedirects };
        return new PortalBrowser(new HttpClient(handler) { BaseAddress = stack.App.GetEndpoint("web", "http") }, cookies);
    }

    public Task<HttpResponseMessage> GetAsync(string path) => _http.GetAsync(path);

    /// <summary>A GET with the given Accept header, e.g. the one Blazor's enhanced navigation sends.</summary>
    public Task<HttpResponseMessage> GetAsync(string path, string accept)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Accept", accept);
        return _http.SendAsync(request);
    }

    public Task<HttpResponseMessage> PostAsync(string path, IDictionary<string, string> fields) => _http.PostAsync(path, new FormUrlEncodedContent(fields));

    /// <summary>Reads a page that must answer 200 with HTML.</summary>
    public async Task<IDocument> ReadAsync(string path)
    {
        using var response = await _http.GetAsync(path);
        return await PageAsync(response, $"GET {path}");
    }

    /// <summary>
    /// Submits a form of <paramref name="page"/> (the first one matching <paramref name="formSelector"/>) as a browser
    /// would: its hidden fields plus <paramref name="values"/>, to its action or to the page it came from.
    /// </summary>
    public async Task<IDocument> SubmitAsync(IDocument page, IDictionary<string, string>? values = null, string formSelector = "main form[method=post]")
    {
        using var response = await PostFormAsync(page, values, formSelector);
        return await PageAsync(response, $"POST {response.RequestMessage?.RequestUri}");
    }

    /// <summary>As <see cref="SubmitAsync"/>, for a post whose status the caller checks.</summary>
    public Task<HttpResponseMessage> PostFormAsync(IDocument page, IDictionary<string, string>? values = null, string formSelector = "main form[method=post]")
    {
        var form = page.QuerySelector(formSelector) ?? throw new InvalidOperationException($"No form matches {formSelector} on {Location}.");
        var fields = form.QuerySelectorAll("input[type=hidden]").ToDictionary(input => input.GetAttribute("name")!, input => input.GetAttribute("value") ?? "");
        foreach (var (name, value) in values ?? new Dictionary<string, string>())
        {
            fields[name] = value;
        }

        // As a browser resolves it: against the page the form is on, which may be another site's (the Stripe emulator's).
        var here = Location ?? BaseAddress;
        var action = form.GetAttribute("action") is { Length: > 0 } target ? new Uri(here, target) : here;
        return _http.PostAsync(action, new FormUrlEncodedContent(fields));
    }

    /// <summary>Signs in through the sign-in form (sent back to <paramref name="returnUrl"/> when given); the page landed on.</summary>
    public async Task<IDocument> SignInAsync(string email, string password = TestAccounts.Password, string? returnUrl = null) =>
        await SignInOnAsync(await ReadAsync(returnUrl is null ? "/sign-in" : $"/sign-in?returnUrl={Uri.EscapeDataString(returnUrl)}"), email, password);

    /// <summary>Fills and submits the sign-in form of <paramref name="signInPage"/>; the page landed on.</summary>
    public Task<IDocument> SignInOnAsync(IDocument signInPage, string email, string password = TestAccounts.Password) =>
        SubmitAsync(signInPage, new Dictionary<string, string> { ["Form.Email"] = email, ["Form.Password"] = password });

    /// <summary>The session cookie as the browser holds it, or null when signed out.</summary>
    public Cookie? SessionCookie => Cookies.GetAllCookies().FirstOrDefault(cookie => cookie.Name.Contains("azora_session", StringComparison.Ordinal));

    public void Dispose() => _http.Dispose();

    private async Task<IDocument> PageAsync(HttpResponseMessage response, string what)
    {
        var html = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{what} answered {(int)response.StatusCode}: {html}");
        Assert.StartsWith("text/html", response.Content.Headers.ContentType?.ToString());
        Location = response.RequestMessage?.RequestUri;
        return await new HtmlParser().ParseDocumentAsync(html);
    }
}
