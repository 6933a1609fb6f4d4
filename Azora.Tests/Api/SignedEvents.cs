using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azora.Tests.Stack;

namespace Azora.Tests.Api;

/// <summary>
/// The HMAC scheme Stripe and Azora's own webhooks share (<c>t=…,v1=hex(HMAC-SHA256(secret, "t.body"))</c>), and
/// Stripe events as the emulator sends them, for tests that sign, forge or redeliver events themselves.
/// </summary>
internal static class SignedEvents
{
    public static string Hex(string secret, string timestamp, string body) =>
        Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}"))).ToLowerInvariant();

    public static string Sign(string payload, string secret, long timestamp) => $"t={timestamp},v1={Hex(secret, timestamp.ToString(), payload)}";

    /// <summary>A Stripe event about a PaymentIntent, in the shape the emulator sends.</summary>
    public static string StripeEvent(string type, string intentId, string? eventId = null) => JsonSerializer.Serialize(new
    {
        id = eventId ?? $"evt_test_{Guid.NewGuid():N}",
        @object = "event",
        api_version = Stripe.StripeConfiguration.ApiVersion,
        created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        type,
        livemode = false,
        data = new
        {
            @object = new
            {
                id = intentId,
                @object = "payment_intent",
                amount = 4900,
                currency = "usd",
                status = type == "payment_intent.succeeded" ? "succeeded" : "requires_payment_method",
                last_payment_error = new { code = "card_declined", message = "Declined late." },
            },
        },
    });

    /// <summary>
    /// Posts an event to the stack's worker; signature "" signs it correctly now, null sends none. A
    /// <paramref name="chunked"/> body has no Content-Length.
    /// </summary>
    public static async Task<HttpResponseMessage> DeliverToWorkerAsync(AzoraStackFixture stack, string payload, string? signature = "", bool chunked = false)
    {
        using var worker = stack.CreatePaymentsClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe")
        {
            Content = chunked ? new LengthlessContent(payload) : new StringContent(payload, Encoding.UTF8, "application/json"),
        };
        if (signature is not null)
        {
            request.Headers.Add(
                "Stripe-Signature",
                signature.Length == 0 ? Sign(payload, AzoraStackFixture.StripeWebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds()) : signature);
        }

        return await worker.SendAsync(request);
    }

    /// <summary>A body whose length is not known in advance, so HTTP/1.1 sends it chunked.</summary>
    private sealed class LengthlessContent : HttpContent
    {
        private readonly byte[] _bytes;

        public LengthlessContent(string text)
        {
            _bytes = Encoding.UTF8.GetBytes(text);
            Headers.ContentType = new("application/json");
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(_bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}
