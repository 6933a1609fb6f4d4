using Azora.EndToEnd.Support;
using Xunit.Abstractions;

namespace Azora.EndToEnd.Journeys;

/// <summary>The check every browser journey relies on, held to failing: a page with serious violations does not pass.</summary>
public sealed class AccessibilityCheckJourney(AzoraTarget target, ITestOutputHelper output) : BrowserJourney(target, output)
{
    [SkippableFact]
    public Task The_accessibility_check_fails_a_page_with_an_unlabelled_image_and_button_naming_them() => BrowseAsync(async page =>
    {
        await VisitAsync(page, "/courses");
        await page.EvaluateAsync(
            """
            () => {
              const main = document.querySelector('main');
              main.insertAdjacentHTML('beforeend', '<img src="/favicon.png" data-testid="unlabelled-image"><button data-testid="unlabelled-button"></button>');
            }
            """);

        var failure = await Assert.ThrowsAsync<Xunit.Sdk.XunitException>(() => CheckAccessibilityAsync(page));
        Assert.Contains("image-alt (critical)", failure.Message);
        Assert.Contains("button-name (critical)", failure.Message);
        Output.WriteLine(failure.Message);

        // Without them the page passes again.
        await page.EvaluateAsync("() => document.querySelectorAll('[data-testid^=unlabelled-]').forEach(element => element.remove())");
        await CheckAccessibilityAsync(page);
    });
}
