using System.Net;
using System.Web;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Azora.Tests.Api;
using Azora.Tests.Stack;

namespace Azora.Tests.Web;

/// <summary>
/// Buying a course in the portal as a browser without JavaScript does: the portal's checkout, the Stripe emulator's
/// test checkout page (a card number typed in a form), the emulator's signed webhook to the payments worker, and back
/// to the portal's page that waits for the enrollment the worker grants.
/// </summary>
[Collection(StackCollection.Name)]
public class PortalCheckoutTests(AzoraStackFixture stack)
{
    private const string SuccessCard = "4242 4242 4242 4242";
    private const string DeclineCard = "4000 0000 0000 0002";

    [Fact]
    public async Task Buying_with_the_success_card_enrolls_the_learner_and_says_so()
    {
        var (browser, course, learner) = await BuyerAsync();
        using var _ = browser;

        var checkout = await browser.ReadAsync($"/checkout/{course.Slug}");
        Assert.Equal("49.00 USD", checkout.QuerySelector("[data-testid=checkout-price]")!.TextContent);

        // A second click sends the same attempt: one payment, one intent at the emulator.
        using (var first = await browser.PostFormAsync(checkout))
        using (var second = await browser.PostFormAsync(checkout))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(first.RequestMessage!.RequestUri!.AbsolutePath, second.RequestMessage!.RequestUri!.AbsolutePath);
        }

        Assert.Equal(1, await PaymentsAsync(learner, course));
        var card = await browser.SubmitAsync(checkout);
        Assert.Equal(stack.App.GetEndpoint("stripe", "http").Authority, browser.Location!.Authority);
        Assert.Equal("49.00 USD", card.QuerySelector("[data-testid=checkout-amount]")!.TextContent);

        var done = await browser.SubmitAsync(card, new Dictionary<string, string> { ["card_number"] = SuccessCard });

        Assert.Equal(browser.BaseAddress.Authority, browser.Location!.Authority);
        Assert.Equal($"/checkout/{course.Slug}/complete", browser.Location.AbsolutePath);
        Assert.StartsWith("pi_", HttpUtility.ParseQueryString(browser.Location.Query)["payment_intent"]);
        Assert.NotNull(done.QuerySelector("[data-testid=purchase-succeeded]"));
        Assert.Equal("/learning", done.QuerySelector("[data-testid=start-learning]")!.GetAttribute("href"));
        Assert.Equal(1, await stack.CountAsync(
            "SELECT count(*) FROM enrollments WHERE user_id = @user AND course_id = @course AND status = 'active'", new { user = learner.UserId, course = course.Id }));

        // Owned now: checkout says so instead of taking another payment.
        Assert.NotNull((await browser.ReadAsync($"/checkout/{course.Slug}")).QuerySelector("[data-testid=already-enrolled]"));
    }

    [Fact]
    public async Task A_declined_card_is_told_with_a_retry_that_then_succeeds_and_both_attempts_are_in_the_payment_history()
    {
        var (browser, course, learner) = await BuyerAsync();
        using var _ = browser;

        var card = await browser.SubmitAsync(await browser.ReadAsync($"/checkout/{course.Slug}"));
        var declinedIntent = browser.Location!.AbsolutePath;
        var declined = await browser.SubmitAsync(card, new Dictionary<string, string> { ["card_number"] = DeclineCard });

        Assert.Null(declined.QuerySelector("[data-testid=purchase-succeeded]"));
        Assert.Contains("Your card was declined.", declined.QuerySelector("[data-testid=purchase-declined]")!.TextContent);
        Assert.NotNull(declined.QuerySelector("[data-testid=retry-payment]"));
        Assert.Equal(0, await stack.CountAsync("SELECT count(*) FROM enrollments WHERE user_id = @user AND course_id = @course", new { user = learner.UserId, course = course.Id }));

        var retry = await browser.SubmitAsync(declined, formSelector: "form[data-testid=retry-form]");
        Assert.NotEqual(declinedIntent, browser.Location!.AbsolutePath);
        var done = await browser.SubmitAsync(retry, new Dictionary<string, string> { ["card_number"] = SuccessCard });

        Assert.NotNull(done.QuerySelector("[data-testid=purchase-succeeded]"));
        Assert.Equal(1, await stack.CountAsync(
            "SELECT count(*) FROM enrollments WHERE user_id = @user AND course_id = @course AND status = 'active'", new { user = learner.UserId, course = course.Id }));

        var history = await browser.ReadAsync("/account/payments");
        var rows = history.QuerySelectorAll("[data-testid=payment]");
        Assert.Equal(2, rows.Length);
        Assert.All(rows, row => Assert.Equal("49.00 USD", Text(row, "payment-amount")));
        Assert.All(rows, row => Assert.Equal(course.Title, Text(row, "payment-course")));
        Assert.StartsWith("Paid", Text(rows[0], "payment-status"));
        Assert.StartsWith("Declined", Text(rows[1], "payment-status"));
        Assert.Contains("Your card was declined.", Text(rows[1], "payment-status"));
        Assert.All(rows, row => Assert.InRange(
            DateTimeOffset.Parse(row.QuerySelector("[data-testid=payment-date]")!.GetAttribute("datetime")!, System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1)));
    }

    [Fact]
    public async Task A_number_that_is_not_a_test_card_is_refused_on_the_checkout_page_and_charges_nothing()
    {
        var (browser, course, learner) = await BuyerAsync();
        using var _ = browser;
        var card = await browser.SubmitAsync(await browser.ReadAsync($"/checkout/{course.Slug}"));

        using var refused = await browser.PostFormAsync(card, new Dictionary<string, string> { ["card_number"] = "1234 5678 9012 3456" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        var page = await new HtmlParser().ParseDocumentAsync(await refused.Content.ReadAsStringAsync());
        Assert.Contains("Use a test card", page.QuerySelector("[data-testid=card-error]")!.TextContent);
        Assert.Equal(1, await stack.CountAsync(
            "SELECT count(*) FROM payments WHERE user_id = @user AND course_id = @course AND status = 'pending'", new { user = learner.UserId, course = course.Id }));
    }

    [Fact]
    public async Task An_unverified_email_is_told_on_the_checkout_page_with_a_new_link_to_ask_for()
    {
        using var api = stack.CreateApiClient();
        var course = await PaidCourseAsync(api);
        var learner = await TestAccounts.RegisterAsync(api);
        using var browser = await SignedInAsync(learner, $"/checkout/{course.Slug}");

        var checkout = await browser.ReadAsync($"/checkout/{course.Slug}");

        Assert.NotNull(checkout.QuerySelector("[data-testid=verify-email-first]"));
        Assert.Null(checkout.QuerySelector("[data-testid=pay-button]"));
        var resent = await browser.SubmitAsync(checkout, formSelector: "form[data-testid=resend-verification-form]");
        Assert.Contains(learner.Email, resent.QuerySelector("[data-testid=verification-resent]")!.TextContent);
        Assert.Equal(0, await PaymentsAsync(learner, course));
    }

    [Fact]
    public async Task Someone_elses_payment_is_not_shown_on_the_return_page()
    {
        var (buyer, course, learner) = await BuyerAsync();
        buyer.Dispose();
        using var api = stack.CreateApiClient();
        var intent = await (await api.PostJsonAsync("/api/pay/payment-intent", new { courseId = course.Id }, learner.AccessToken)).JsonAsync();
        var paymentId = intent.GetProperty("paymentId").GetString();
        var paymentIntent = intent.GetProperty("paymentIntentId").GetString();
        var other = await TestAccounts.RegisterVerifiedAsync(stack, api);
        using var browser = await SignedInAsync(other, "/learning");

        foreach (var query in new[] { $"payment={paymentId}&payment_intent={paymentIntent}", $"payment_intent={paymentIntent}", $"payment={paymentId}" })
        {
            using var response = await browser.GetAsync($"/checkout/{course.Slug}/complete?{query}");
            var html = await response.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            Assert.Contains("Page not found", html);
            Assert.DoesNotContain("49.00", html);
            Assert.DoesNotContain(course.Title, html);
        }

        using var payPage = await browser.GetAsync($"/checkout/{course.Slug}/pay?payment={paymentId}");
        Assert.DoesNotContain(intent.GetProperty("clientSecret").GetString()!, await payPage.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task With_a_publishable_key_the_pay_page_mounts_stripes_payment_element_with_the_intents_client_secret()
    {
        var (browser, course, learner) = await BuyerAsync();
        using var _ = browser;
        using var api = stack.CreateApiClient();
        var intent = await (await api.PostJsonAsync("/api/pay/payment-intent", new { courseId = course.Id }, learner.AccessToken)).JsonAsync();
        var paymentId = intent.GetProperty("paymentId").GetString();

        var pay = await browser.ReadAsync($"/checkout/{course.Slug}/pay?payment={paymentId}");

        var element = pay.QuerySelector("[data-testid=payment-element]")!;
        Assert.Equal(AzoraStackFixture.StripePublishableKey, element.GetAttribute("data-publishable-key"));
        Assert.Equal(intent.GetProperty("clientSecret").GetString(), element.GetAttribute("data-client-secret"));
        Assert.Equal(new Uri(browser.BaseAddress, $"/checkout/{course.Slug}/complete?payment={paymentId}"), new Uri(element.GetAttribute("data-return-url")!));
        var scripts = pay.QuerySelectorAll("script[src]").Select(script => script.GetAttribute("src")!).ToList();
        Assert.Contains("https://js.stripe.com/v3/", scripts);
        var checkoutScript = Assert.Single(scripts, src => src.Contains("checkout", StringComparison.Ordinal));
        using var script = await browser.GetAsync(checkoutScript);
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Contains("confirmPayment", await script.Content.ReadAsStringAsync());
    }

    private static string Text(IElement row, string testId) => row.QuerySelector($"[data-testid={testId}]")!.TextContent.Trim();

    private async Task<(PortalBrowser Browser, TestCourseWithTitle Course, SignedIn Learner)> BuyerAsync()
    {
        using var api = stack.CreateApiClient();
        var course = await PaidCourseAsync(api);
        var learner = await TestAccounts.RegisterVerifiedAsync(stack, api);
        return (await SignedInAsync(learner, $"/checkout/{course.Slug}"), course, learner);
    }

    private async Task<TestCourseWithTitle> PaidCourseAsync(HttpClient api)
    {
        var instructor = await TestRoles.SignInAsAsync(stack, api, "instructor");
        var title = $"Checkout {Guid.NewGuid():N}";
        var course = await Courses.CreateAsync(api, instructor, price: 4900, lessons: 2, title: title);
        return new TestCourseWithTitle(course.Id, course.Slug, title);
    }

    private async Task<PortalBrowser> SignedInAsync(SignedIn account, string returnUrl)
    {
        var browser = await PortalBrowser.OpenAsync(stack);
        await browser.SignInAsync(account.Email, returnUrl: returnUrl);
        Assert.Equal(returnUrl, browser.Location!.AbsolutePath);
        return browser;
    }

    private Task<long> PaymentsAsync(SignedIn learner, TestCourseWithTitle course) =>
        stack.CountAsync("SELECT count(*) FROM payments WHERE user_id = @user AND course_id = @course", new { user = learner.UserId, course = course.Id });

    private sealed record TestCourseWithTitle(Guid Id, string Slug, string Title);
}
