using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Azora.StripeEmulator;

/// <summary>Sends events the way Stripe does: JSON body, <c>Stripe-Signature: t=…,v1=HMAC-SHA256(secret, "t.body")</c>.</summary>
public sealed class WebhookSender(HttpClient http, IConfiguration configuration, ILogger<WebhookSender> logger)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static string Event(string type, object dataObject) => JsonSerializer.Serialize(new
    {
        id = EmulatorState.NewId("evt"),
        @object = "event",
        api_version = Stripe.StripeConfiguration.ApiVersion,
        created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        data = new { @object = dataObject },
        livemode = false,
        pending_webhooks = 1,
        request = new { id = (string?)null, idempotency_key = (string?)null },
        type,
    }, Json);

    public static string Sign(string payload, string secret, long timestamp)
    {
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{payload}"));
        return $"t={timestamp},v1={Convert.ToHexString(signature).ToLowerInvariant()}";
    }

    /// <summary>Delivers one event <paramref name="copies"/> times at once; returns each delivery's status code (0 = unreachable).</summary>
    public async Task<int[]> SendAsync(string payload, int copies = 1)
    {
        var url = configuration["Emulator:WebhookUrl"];
        var secret = configuration["Emulator:WebhookSecret"];
        if (string.IsNullOrEmpty(url) || string.IsNullOrEmpty(secret))
        {
            logger.LogWarning("No Emulator:WebhookUrl/WebhookSecret; event not delivered");
            return [];
        }

        var header = Sign(payload, secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds());
        return await Task.WhenAll(Enumerable.Range(0, copies).Select(async _ =>
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
                request.Headers.Add("Stripe-Signature", header);
                using var response = await http.SendAsync(request);
                return (int)response.StatusCode;
            }
            catch (HttpRequestException ex)
            {
                logger.LogWarning(ex, "Webhook delivery to {Url} failed", url);
                return 0;
            }
        }));
    }
}
