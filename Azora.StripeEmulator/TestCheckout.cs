using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Azora.StripeEmulator;

/// <summary>
/// A test checkout page in place of Stripe's Payment Element, so a purchase in the portal works without Stripe: the
/// portal sends the browser to <c>GET /emulator/checkout/{pi_…}?client_secret=…&amp;return_url=…</c>, the learner types
/// a test card number, and the card's outcome is applied like the card controls apply it (the same signed webhook to
/// the worker, on its way in the background) before the browser goes back to the return URL with
/// <c>payment_intent</c>, as Stripe sends it back.
/// The client secret must be the intent's, and the return URL must be on this host or an origin in
/// <c>Emulator:ReturnOrigins</c>, so the page is not an open redirect.
/// </summary>
public static class TestCheckout
{
    public const string SuccessCard = "4242424242424242";
    public const string DeclineCard = "4000000000000002";

    private static readonly string[] ZeroDecimalCurrencies = ["bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"];

    public static void MapTestCheckout(this IEndpointRouteBuilder app)
    {
        app.MapGet("/emulator/checkout/{id}", (string id, string? client_secret, string? return_url, HttpContext http, EmulatorState state, IConfiguration configuration) =>
            Check(id, client_secret, return_url, http, state, configuration) switch
            {
                { Error: { } error } => error,
                { Intent: { Status: "succeeded" } intent, ReturnUrl: { } back } => Back(back, intent),
                { Intent: { } intent, ReturnUrl: { } back } => Page(intent, back, cardNumber: "", error: null, StatusCodes.Status200OK),
                _ => Problem(StatusCodes.Status400BadRequest, "This checkout link is incomplete."),
            });

        app.MapPost("/emulator/checkout/{id}", async (string id, HttpContext http, EmulatorState state, IConfiguration configuration, WebhookSender webhooks) =>
        {
            if (!http.Request.HasFormContentType)
            {
                return Problem(StatusCodes.Status415UnsupportedMediaType, "Send the checkout form.");
            }

            var form = await http.Request.ReadFormAsync(http.RequestAborted);
            var checkedLink = Check(id, form["client_secret"], form["return_url"], http, state, configuration);
            if (checkedLink is { Error: { } error })
            {
                return error;
            }

            var (intent, back) = (checkedLink.Intent!, checkedLink.ReturnUrl!);
            if (intent.Status == "succeeded")
            {
                return Back(back, intent);
            }

            var typed = form["card_number"].ToString();
            var digits = new string(typed.Where(c => c is not (' ' or '-')).ToArray());
            var outcome = digits switch
            {
                SuccessCard => CardOutcomes.Succeed,
                DeclineCard => CardOutcomes.Decline,
                _ => null,
            };
            if (outcome is null)
            {
                return Page(intent, back, typed, "Use a test card: 4242 4242 4242 4242 is charged, 4000 0000 0000 0002 is declined.", StatusCodes.Status422UnprocessableEntity);
            }

            CardOutcomes.Apply(intent, outcome, webhooks);
            return Back(back, intent);
        });
    }

    private sealed record Checked(PaymentIntent? Intent, Uri? ReturnUrl, IResult? Error);

    private static Checked Check(string id, string? clientSecret, string? returnUrl, HttpContext http, EmulatorState state, IConfiguration configuration)
    {
        if (!state.Intents.TryGetValue(id, out var intent))
        {
            return new(null, null, Problem(StatusCodes.Status404NotFound, "There is no such payment."));
        }

        if (string.IsNullOrEmpty(clientSecret)
            || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(clientSecret), Encoding.UTF8.GetBytes(intent.ClientSecret)))
        {
            return new(null, null, Problem(StatusCodes.Status400BadRequest, "This checkout link does not carry the payment's client secret."));
        }

        if (!Uri.TryCreate(returnUrl, UriKind.Absolute, out var back) || !Trusted(back, http, configuration))
        {
            return new(null, null, Problem(StatusCodes.Status400BadRequest, "The return URL is not one this checkout may send you back to."));
        }

        if (intent.Status == "canceled")
        {
            return new(null, null, Problem(StatusCodes.Status400BadRequest, "This payment was canceled; start again from the course."));
        }

        return new(intent, back, null);
    }

    private static bool Trusted(Uri back, HttpContext http, IConfiguration configuration)
    {
        if (back.Scheme is not ("http" or "https") || back.UserInfo.Length > 0)
        {
            return false;
        }

        if (string.Equals(back.Host, http.Request.Host.Host, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var origin = back.GetLeftPart(UriPartial.Authority);
        return (configuration.GetSection("Emulator:ReturnOrigins").Get<string[]>() ?? [])
            .Any(trusted => string.Equals(trusted.TrimEnd('/'), origin, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Back to the return URL with what Stripe adds to it after a confirmation.</summary>
    private static IResult Back(Uri back, PaymentIntent intent)
    {
        var query = $"payment_intent={Uri.EscapeDataString(intent.Id)}&payment_intent_client_secret={Uri.EscapeDataString(intent.ClientSecret)}"
            + $"&redirect_status={(intent.Status == "succeeded" ? "succeeded" : "failed")}";
        var builder = new UriBuilder(back) { Query = back.Query.Length > 1 ? $"{back.Query[1..]}&{query}" : query };
        return Results.Redirect(builder.Uri.AbsoluteUri, preserveMethod: false);
    }

    private static string Amount(PaymentIntent intent) =>
        ZeroDecimalCurrencies.Contains(intent.Currency)
            ? $"{intent.Amount.ToString("N0", CultureInfo.InvariantCulture)} {intent.Currency.ToUpperInvariant()}"
            : $"{(intent.Amount / 100m).ToString("N2", CultureInfo.InvariantCulture)} {intent.Currency.ToUpperInvariant()}";

    private static IResult Page(PaymentIntent intent, Uri back, string cardNumber, string? error, int status)
    {
        static string E(string value) => WebUtility.HtmlEncode(value);
        var errorHtml = error is null ? "" : $"""<p id="card-error" class="error" role="alert" data-testid="card-error">{E(error)}</p>""";
        var describedBy = error is null ? "card-hint" : "card-hint card-error";
        var declined = intent.LastPaymentError is not null && intent.Status == "requires_payment_method"
            ? """<p class="note">The last card tried for this payment was declined.</p>"""
            : "";
        var html = $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Test checkout · Stripe emulator</title>
            <style>
            body { font-family: system-ui, sans-serif; color: #1a1a1a; background: #fff; margin: 0; line-height: 1.5; }
            main { max-width: 28rem; margin: 2rem auto; padding: 0 1rem; }
            .banner { background: #fef3c7; border-left: 4px solid #92400e; padding: .5rem 1rem; }
            .amount { font-size: 1.5rem; font-weight: 700; }
            label { display: block; font-weight: 600; }
            input { font: inherit; padding: .5rem; width: 100%; box-sizing: border-box; border: 1px solid #52525b; border-radius: 4px; }
            .hint, .note { color: #3f3f46; font-size: .95rem; }
            .error { color: #b91c1c; font-weight: 600; }
            button { font: inherit; margin-top: 1rem; padding: .6rem 1.2rem; background: #1d4ed8; color: #fff; border: 0; border-radius: 4px; cursor: pointer; }
            :focus-visible { outline: 3px solid #b45309; outline-offset: 2px; }
            </style>
            </head>
            <body>
            <main>
            <h1>Test checkout</h1>
            <p class="banner">This is the local Stripe emulator: no real card is charged.</p>
            <p>Payment <code>{{E(intent.Id)}}</code></p>
            <p class="amount" data-testid="checkout-amount">{{E(Amount(intent))}}</p>
            {{declined}}
            <form method="post" action="/emulator/checkout/{{E(intent.Id)}}" data-testid="test-checkout-form">
            <input type="hidden" name="client_secret" value="{{E(intent.ClientSecret)}}">
            <input type="hidden" name="return_url" value="{{E(back.AbsoluteUri)}}">
            <label for="card_number">Card number</label>
            <input id="card_number" name="card_number" inputmode="numeric" autocomplete="cc-number" value="{{E(cardNumber)}}" aria-describedby="{{describedBy}}" data-testid="card-number">
            <p id="card-hint" class="hint">Test cards: 4242 4242 4242 4242 is charged, 4000 0000 0000 0002 is declined.</p>
            {{errorHtml}}
            <button type="submit" data-testid="pay-button">Pay {{E(Amount(intent))}}</button>
            </form>
            </main>
            </body>
            </html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    private static IResult Problem(int status, string message)
    {
        var html = $$"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><title>Test checkout · Stripe emulator</title></head>
            <body><main><h1>Test checkout</h1><p role="alert" data-testid="checkout-error">{{WebUtility.HtmlEncode(message)}}</p></main></body>
            </html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, status);
    }
}
