using System.Net;
using System.Text.Json;
using Azora.Tests.Stack;

namespace Azora.Tests.Api;

/// <summary>
/// The Stripe emulator's test checkout page, which takes a test card in place of Stripe's Payment Element: only with
/// the intent's client secret, only back to a trusted return URL, and each card's outcome sent to the worker as the
/// card controls send it.
/// </summary>
[Collection(StackCollection.Name)]
public class StripeEmulatorCheckoutTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task The_page_needs_the_intents_client_secret_and_a_trusted_return_url()
    {
        var (intent, secret, _) = await IntentAsync();
        using var emulator = NoRedirects();
        var portal = ReturnUrl();

        using (var wrongSecret = await emulator.GetAsync(Page(intent, $"{intent}_secret_guessed", portal)))
        {
            Assert.Equal(HttpStatusCode.BadRequest, wrongSecret.StatusCode);
            Assert.Contains("client secret", await wrongSecret.Content.ReadAsStringAsync());
        }

        foreach (var elsewhere in new[] { "https://evil.example/checkout/complete", "javascript:alert(1)", "//evil.example/x", "/relative" })
        {
            using var untrusted = await emulator.GetAsync(Page(intent, secret, elsewhere));
            Assert.Equal(HttpStatusCode.BadRequest, untrusted.StatusCode);
            Assert.Contains("return URL", await untrusted.Content.ReadAsStringAsync());
        }

        using (var unknown = await emulator.GetAsync(Page("pi_unknown", secret, portal)))
        {
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }

        using var page = await emulator.GetAsync(Page(intent, secret, portal));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Contains("<label for=\"card_number\">", html);
        Assert.Contains("49.00 USD", html);
    }

    [Fact]
    public async Task A_post_with_a_wrong_secret_or_an_untrusted_return_url_changes_nothing()
    {
        var (intent, secret, paymentId) = await IntentAsync();
        using var emulator = NoRedirects();

        using (var wrongSecret = await emulator.PostAsync($"/emulator/checkout/{intent}", Form("wrong", ReturnUrl(), "4242424242424242")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, wrongSecret.StatusCode);
        }

        using (var untrusted = await emulator.PostAsync($"/emulator/checkout/{intent}", Form(secret, "https://evil.example/", "4242424242424242")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, untrusted.StatusCode);
        }

        Assert.Equal("requires_payment_method", await IntentStatusAsync(intent));
        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM payments WHERE id = @paymentId AND status = 'pending'", new { paymentId }));
    }

    [Theory]
    [InlineData("4242 4242 4242 4242", "succeeded", "succeeded")]
    [InlineData("4000-0000-0000-0002", "failed", "failed")]
    public async Task A_test_card_applies_its_outcome_through_the_worker_and_goes_back_like_stripe(string card, string redirectStatus, string paymentStatus)
    {
        var (intent, secret, paymentId) = await IntentAsync();
        using var emulator = NoRedirects();
        var portal = ReturnUrl() + "?payment=" + paymentId;

        using var paid = await emulator.PostAsync($"/emulator/checkout/{intent}", Form(secret, portal, card));

        Assert.Equal(HttpStatusCode.Redirect, paid.StatusCode);
        var back = paid.Headers.Location!;
        Assert.Equal(new Uri(portal).GetLeftPart(UriPartial.Path), back.GetLeftPart(UriPartial.Path));
        Assert.Equal(
            $"?payment={paymentId}&payment_intent={intent}&payment_intent_client_secret={Uri.EscapeDataString(secret)}&redirect_status={redirectStatus}",
            back.Query);
        // The webhook reaches the worker on its own, as Stripe's does (the portal's return page waits for it).
        Assert.Equal(1, await Eventually.ReadAsync(
            () => stack.CountAsync("SELECT count(*) FROM payments WHERE id = @paymentId AND status = @paymentStatus", new { paymentId, paymentStatus }),
            count => count == 1, attempts: 100, TimeSpan.FromMilliseconds(100)));
    }

    private static FormUrlEncodedContent Form(string secret, string returnUrl, string card) => new(new Dictionary<string, string>
    {
        ["client_secret"] = secret,
        ["return_url"] = returnUrl,
        ["card_number"] = card,
    });

    private static string Page(string intent, string secret, string returnUrl) =>
        $"/emulator/checkout/{intent}?client_secret={Uri.EscapeDataString(secret)}&return_url={Uri.EscapeDataString(returnUrl)}";

    /// <summary>A page of the portal: the origin the AppHost tells the emulator to trust.</summary>
    private string ReturnUrl() => new Uri(stack.App.GetEndpoint("web", "http"), "/checkout/some-course/complete").AbsoluteUri;

    private HttpClient NoRedirects() => new(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = stack.App.GetEndpoint("stripe", "http") };

    private async Task<string> IntentStatusAsync(string intent)
    {
        using var stripe = stack.CreateStripeEmulatorClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/payment_intents/{intent}");
        request.Headers.Authorization = new("Bearer", "sk_test_azora_emulator");
        using var response = await stripe.SendAsync(request);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString()!;
    }

    private async Task<(string Intent, string Secret, Guid PaymentId)> IntentAsync()
    {
        using var api = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, api, "instructor");
        var course = await Courses.CreateAsync(api, instructor, price: 4900, lessons: 1);
        var learner = await TestAccounts.RegisterVerifiedAsync(stack, api);
        using var created = await api.PostJsonAsync("/api/pay/payment-intent", new { courseId = course.Id }, learner.AccessToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var intent = await created.JsonAsync();
        return (intent.GetProperty("paymentIntentId").GetString()!, intent.GetProperty("clientSecret").GetString()!, intent.GetProperty("paymentId").GetGuid());
    }
}
