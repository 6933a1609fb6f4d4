using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Azora.EndToEnd.Support;

/// <summary>
/// A journey through the web portal in Chromium, as a person makes it: a fresh browser context (no cookies, no
/// storage) whose base URL is the portal's, traced from its first step. When a step fails, the artifacts folder gets a
/// full-page screenshot, the Playwright trace (<c>playwright show-trace</c>) and every console message and page error
/// of the journey, beside the API requests of <see cref="Journey"/>, and the test output says where.
/// <para>
/// Every page a journey visits is held to axe-core (<see cref="CheckAccessibilityAsync"/>): no serious or critical
/// violation. <see cref="VisitAsync"/> opens a path and checks it; after a click, check the page the click led to.
/// </para>
/// </summary>
public abstract class BrowserJourney(AzoraTarget target, ITestOutputHelper output) : Journey(target, output)
{
    /// <summary>A phone's screen (an iPhone 14's CSS pixels), for journeys that must work at phone width.</summary>
    public static readonly ViewportSize Phone = new() { Width = 390, Height = 844 };

    /// <summary>A laptop's screen, the default.</summary>
    public static readonly ViewportSize Desktop = new() { Width = 1280, Height = 800 };

    private static readonly Lazy<string> AxeScript = new(FindAxeScript);

    /// <summary>
    /// Runs <paramref name="steps"/> on a new page of a fresh context on the portal (see the class summary); skipped when
    /// the run has no portal (<see cref="AzoraTarget.WebUrlVariable"/> is not set for a deployed environment).
    /// </summary>
    internal Task BrowseAsync(Func<IPage, Task> steps, ViewportSize? viewport = null, [CallerMemberName] string name = "") =>
        BrowseAsync((page, _) => steps(page), viewport, name);

    /// <summary>As <see cref="BrowseAsync(Func{IPage, Task}, ViewportSize?, string)"/>, with the journey's API client for what the page does not show.</summary>
    internal async Task BrowseAsync(Func<IPage, ApiClient, Task> steps, ViewportSize? viewport = null, [CallerMemberName] string name = "")
    {
        Skip.IfNot(AzoraTarget.HasWeb, $"Needs the web portal's address: {AzoraTarget.WebUrlVariable} ({AzoraTarget.BaseUrlVariable} is set)");
        var artifactName = $"{GetType().Name}.{name}";
        await RunAsync(async api =>
        {
            var browser = await Target.BrowserAsync();
            await using var context = await browser.NewContextAsync(new()
            {
                BaseURL = await Target.WebUrlAsync(),
                ViewportSize = viewport ?? Desktop,
                Locale = "en-GB",
            });
            var console = new ConcurrentQueue<string>();
            context.Page += (_, page) => Listen(page, console);
            await context.Tracing.StartAsync(new() { Title = artifactName, Screenshots = true, Snapshots = true, Sources = false });
            var page = await context.NewPageAsync();
            try
            {
                await steps(page, api);
                AssertEveryNavigationWasEnhanced(console);
                await context.Tracing.StopAsync();
            }
            catch (Exception failure) when (failure is not Xunit.SkipException)
            {
                await KeepEvidenceAsync(context, page, console, artifactName);
                throw;
            }
        }, artifactName);
    }

    /// <summary>Opens <paramref name="path"/> (of the portal), expects its status, and checks the page's accessibility.</summary>
    protected static async Task<IResponse> VisitAsync(IPage page, string path, int expectedStatus = 200)
    {
        var response = await page.GotoAsync(path) ?? throw new Xunit.Sdk.XunitException($"Opening {path} gave no response.");
        Assert.True(response.Status == expectedStatus, $"GET {path} answered {response.Status}, expected {expectedStatus}.");
        await CheckAccessibilityAsync(page);
        return response;
    }

    /// <summary>
    /// Runs axe-core (from tools/axe, injected into the page) on the page as it is now, and fails with every serious or
    /// critical violation, each with the elements it found and how to fix them. Minor and moderate ones are not failures.
    /// </summary>
    protected static async Task CheckAccessibilityAsync(IPage page)
    {
        if (!await page.EvaluateAsync<bool>("() => typeof window.axe === 'object'"))
        {
            await page.AddScriptTagAsync(new() { Path = AxeScript.Value });
        }

        var violations = await page.EvaluateAsync<JsonElement>(
            """
            async () => {
              const results = await window.axe.run(document, { resultTypes: ['violations'] });
              return results.violations
                .filter(violation => violation.impact === 'serious' || violation.impact === 'critical')
                .map(violation => ({
                  id: violation.id,
                  impact: violation.impact,
                  help: violation.help,
                  helpUrl: violation.helpUrl,
                  nodes: violation.nodes.map(node => ({ target: node.target.join(' '), summary: node.failureSummary ?? '' })),
                }));
            }
            """);
        if (violations.GetArrayLength() == 0)
        {
            return;
        }

        var report = new StringBuilder($"axe found serious or critical accessibility violations on {page.Url}:");
        foreach (var violation in violations.EnumerateArray())
        {
            report.AppendLine().Append($"- {violation.GetProperty("id").GetString()} ({violation.GetProperty("impact").GetString()}): ")
                .Append(violation.GetProperty("help").GetString()).Append(" — ").Append(violation.GetProperty("helpUrl").GetString());
            foreach (var node in violation.GetProperty("nodes").EnumerateArray())
            {
                report.AppendLine().Append($"    {node.GetProperty("target").GetString()}: ")
                    .Append(node.GetProperty("summary").GetString()!.ReplaceLineEndings(" "));
            }
        }

        throw new Xunit.Sdk.XunitException(report.ToString());
    }

    /// <summary>Fails when the page is wider than the window (it would scroll sideways), naming the elements that stick out.</summary>
    protected static async Task AssertNoHorizontalScrollingAsync(IPage page)
    {
        var overflow = await page.EvaluateAsync<JsonElement>(
            """
            () => {
              const width = document.documentElement.clientWidth;
              const describe = element => element.tagName.toLowerCase()
                + (element.id ? '#' + element.id : '')
                + (element.getAttribute('data-testid') ? `[data-testid=${element.getAttribute('data-testid')}]` : '')
                + (typeof element.className === 'string' && element.className ? '.' + element.className.trim().split(/\s+/).join('.') : '');
              const wide = [...document.body.querySelectorAll('*')]
                .filter(element => element.getBoundingClientRect().right > width + 0.5)
                .slice(0, 10)
                .map(element => `${describe(element)} (right edge at ${Math.round(element.getBoundingClientRect().right)}px)`);
              return { scrollWidth: document.documentElement.scrollWidth, width, wide };
            }
            """);
        var scrollWidth = overflow.GetProperty("scrollWidth").GetInt32();
        var width = overflow.GetProperty("width").GetInt32();
        Assert.True(scrollWidth <= width,
            $"{page.Url} is {scrollWidth}px wide in a {width}px window and scrolls sideways; sticking out: {string.Join(", ", overflow.GetProperty("wide").EnumerateArray())}");
    }

    /// <summary>Fails unless the element is shown whole within the window's width (on a phone: reachable without scrolling sideways).</summary>
    protected static async Task AssertWithinTheScreenAsync(IPage page, ILocator element)
    {
        await Assertions.Expect(element).ToBeVisibleAsync();
        var box = await element.BoundingBoxAsync() ?? throw new Xunit.Sdk.XunitException($"{element} has no box on {page.Url}.");
        var width = page.ViewportSize?.Width ?? await page.EvaluateAsync<int>("() => window.innerWidth");
        Assert.True(box.X >= 0 && box.X + box.Width <= width + 0.5,
            $"{element} spans {box.X:0}px to {box.X + box.Width:0}px, outside the {width}px window of {page.Url}.");
    }

    /// <summary>
    /// Blazor's script falls back to a full page load, with a console warning, when an enhanced navigation gets an answer
    /// it cannot use: the page still ends up right, so only the warning shows that the portal answered wrongly.
    /// </summary>
    private static void AssertEveryNavigationWasEnhanced(IEnumerable<string> console)
    {
        var fallbacks = console.Where(line => line.Contains("Enhanced navigation failed", StringComparison.Ordinal)).ToList();
        Assert.True(fallbacks.Count == 0, $"Enhanced navigation fell back to a full page load: {string.Join("; ", fallbacks)}");
    }

    private static void Listen(IPage page, ConcurrentQueue<string> console)
    {
        page.Console += (_, message) =>
            console.Enqueue($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} console.{message.Type} {message.Location}: {message.Text}");
        page.PageError += (_, error) => console.Enqueue($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} page error on {page.Url}: {error}");
        page.RequestFailed += (_, request) =>
            console.Enqueue($"{DateTimeOffset.UtcNow:HH:mm:ss.fff} request failed: {request.Method} {request.Url} ({request.Failure})");
    }

    private async Task KeepEvidenceAsync(IBrowserContext context, IPage page, ConcurrentQueue<string> console, string name)
    {
        var kept = new List<string>();
        try
        {
            var screenshot = Artifacts.PathFor($"{name}.png");
            await page.ScreenshotAsync(new() { Path = screenshot, FullPage = true });
            kept.Add($"screenshot {screenshot}");
        }
        catch (PlaywrightException ex)
        {
            kept.Add($"no screenshot ({ex.Message.Split('\n')[0]})");
        }

        var trace = Artifacts.PathFor($"{name}.trace.zip");
        await context.Tracing.StopAsync(new() { Path = trace });
        kept.Add($"trace {trace} (open with `playwright show-trace`)");

        var log = Artifacts.PathFor($"{name}.console.log");
        await File.WriteAllLinesAsync(log, console.IsEmpty ? ["(the pages wrote nothing to the console and raised no error)"] : console.ToArray());
        kept.Add($"console and page errors {log}");
        Output.WriteLine($"Browser evidence of this journey (last page {page.Url}): {string.Join("; ", kept)}");
    }

    /// <summary>axe.min.js of tools/axe (npm ci --prefix tools/axe, which scripts/test.sh runs).</summary>
    private static string FindAxeScript()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "Azora.sln")))
            {
                var script = Path.Combine(folder.FullName, "tools", "axe", "node_modules", "axe-core", "axe.min.js");
                return File.Exists(script)
                    ? script
                    : throw new FileNotFoundException($"No axe-core at {script}: run `npm ci --prefix tools/axe` (scripts/test.sh does).", script);
            }
        }

        throw new DirectoryNotFoundException($"No Azora.sln above {AppContext.BaseDirectory}, so no tools/axe.");
    }
}
