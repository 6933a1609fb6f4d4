using Azora.EndToEnd.Support;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Azora.EndToEnd.Journeys;

/// <summary>
/// A learner buys a paid course in the portal, paying on the Stripe emulator's test checkout page: with the success
/// card, and with the decline card and then a retry. It makes accounts and payments: not part of the production smoke run.
/// </summary>
public sealed class PortalPurchaseJourney(AzoraTarget target, ITestOutputHelper output) : BrowserJourney(target, output)
{
    private const string SuccessCard = "4242 4242 4242 4242";
    private const string DeclineCard = "4000 0000 0000 0002";

    [SkippableFact]
    public Task A_learner_buys_a_paid_course_with_the_success_card_and_finds_it_in_my_learning() => PurchaseAsync(async (page, course) =>
    {
        await PayAsync(page, SuccessCard);

        await Assertions.Expect(page.GetByTestId("purchase-succeeded")).ToContainTextAsync(course.Title);
        await CheckAccessibilityAsync(page);
        await page.GetByTestId("start-learning").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/learning");
        await Assertions.Expect(page.GetByTestId("enrollment").Filter(new() { HasText = course.Title })).ToHaveCountAsync(1);
        await CheckAccessibilityAsync(page);
    });

    [SkippableFact]
    public Task A_learner_whose_card_is_declined_is_told_retries_and_is_enrolled() => PurchaseAsync(async (page, course) =>
    {
        await PayAsync(page, DeclineCard);

        await Assertions.Expect(page.GetByTestId("purchase-declined")).ToContainTextAsync("Your card was declined.");
        await Assertions.Expect(page.GetByTestId("purchase-succeeded")).ToHaveCountAsync(0);
        await CheckAccessibilityAsync(page);

        await page.GetByTestId("retry-payment").ClickAsync();
        await PayAsync(page, SuccessCard, onCheckoutPage: false);
        await Assertions.Expect(page.GetByTestId("purchase-succeeded")).ToContainTextAsync(course.Title);

        // Both attempts are in the payment history, the newest first.
        await VisitAsync(page, "/account/payments");
        var statuses = page.GetByTestId("payment").Filter(new() { HasText = course.Title }).GetByTestId("payment-status");
        await Assertions.Expect(statuses).ToHaveCountAsync(2);
        await Assertions.Expect(statuses.Nth(0)).ToContainTextAsync("Paid");
        await Assertions.Expect(statuses.Nth(1)).ToContainTextAsync("Declined");
    });

    private sealed record PaidCourse(string Slug, string Title);

    /// <summary>A new verified learner signs in on the checkout page of a paid course of the catalog.</summary>
    private Task PurchaseAsync(Func<IPage, PaidCourse, Task> steps, [System.Runtime.CompilerServices.CallerMemberName] string name = "")
    {
        RequireStripeEmulator();
        RequireEmailVerification();
        Skip.If(Target.IsLocalProduction, "A Production stack pays through Stripe itself, which the suite cannot reach");
        return BrowseAsync(async (page, api) =>
        {
            var paid = (await api.GetAsync("/api/education/courses?free=false&limit=1")).Expect(200).Json.GetProperty("data").EnumerateArray().First();
            var course = new PaidCourse(paid.GetProperty("slug").GetString()!, paid.GetProperty("title").GetString()!);
            var learner = await Accounts.RegisterVerifiedAsync(Target, api);

            await page.GotoAsync($"/checkout/{course.Slug}");
            await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/sign-in");
            var signIn = page.GetByTestId("sign-in-form");
            await signIn.GetByLabel("Email", new() { Exact = true }).FillAsync(learner.Email);
            await signIn.GetByLabel("Password", new() { Exact = true }).FillAsync(Accounts.Password);
            await signIn.GetByTestId("sign-in-button").ClickAsync();

            await page.WaitForURLAsync(url => new Uri(url).AbsolutePath == $"/checkout/{course.Slug}");
            await Assertions.Expect(page.GetByTestId("checkout-summary")).ToContainTextAsync(course.Title);
            await CheckAccessibilityAsync(page);
            await steps(page, course);
        }, name: name);
    }

    /// <summary>From the portal's checkout page (or straight from the emulator's page), pays with <paramref name="card"/> and returns to the portal.</summary>
    private async Task PayAsync(IPage page, string card, bool onCheckoutPage = true)
    {
        var portal = new Uri(await Target.WebUrlAsync()).Authority;
        if (onCheckoutPage)
        {
            await page.GetByTestId("pay-button").ClickAsync();
        }

        await page.WaitForURLAsync(url => new Uri(url).AbsolutePath.StartsWith("/emulator/checkout/", StringComparison.Ordinal));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Test checkout", Level = 1 })).ToBeVisibleAsync();
        await CheckAccessibilityAsync(page);
        await page.GetByLabel("Card number").FillAsync(card);
        await page.GetByTestId("pay-button").ClickAsync();
        await page.WaitForURLAsync(url => new Uri(url).Authority == portal && new Uri(url).AbsolutePath.EndsWith("/complete", StringComparison.Ordinal));
    }
}
