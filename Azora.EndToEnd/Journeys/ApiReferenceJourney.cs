using Azora.EndToEnd.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Azora.EndToEnd.Journeys;

public sealed class ApiReferenceJourney(AzoraTarget target, ITestOutputHelper output) : Journey(target, output)
{
    [SkippableFact]
    public async Task A_developer_opens_the_api_reference_and_sees_the_api_and_its_operations()
    {
        RequireLocalStack("the Scalar reference at /scalar/v1 is served in Development only");
        await using var browser = await Chromium.LaunchAsync(Target.Playwright);
        await using var context = await browser.NewContextAsync(new() { BaseURL = Target.BaseUrl });
        await context.Tracing.StartAsync(new() { Screenshots = true, Snapshots = true });
        var page = await context.NewPageAsync();
        try
        {
            var response = await page.GotoAsync("/scalar/v1");
            Assert.Equal(200, response?.Status);
            // Scalar renders the OpenAPI document in the browser; a busy two-core machine may need more than the default 5 s.
            var rendered = new LocatorAssertionsToBeVisibleOptions { Timeout = 20_000 };
            await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Azora API", Exact = true })).ToBeVisibleAsync(rendered);
            await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "post /api/auth/register", Exact = true })).ToBeVisibleAsync(rendered);
            await context.Tracing.StopAsync();
        }
        catch
        {
            var name = nameof(A_developer_opens_the_api_reference_and_sees_the_api_and_its_operations);
            await page.ScreenshotAsync(new() { Path = Artifacts.PathFor($"{name}.png"), FullPage = true });
            await context.Tracing.StopAsync(new() { Path = Artifacts.PathFor($"{name}.trace.zip") });
            Output.WriteLine($"Screenshot and trace (open with `playwright show-trace`): {Artifacts.PathFor(name)}.*");
            throw;
        }
    }
}
