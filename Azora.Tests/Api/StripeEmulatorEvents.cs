using System.Net;
using System.Text.Json;

namespace Azora.Tests.Api;

/// <summary>
/// The Stripe emulator answers a card at once and delivers its webhook in the background, as Stripe does; a test that
/// needs the worker to have taken the event reads the event's deliveries back until none is still being retried.
/// </summary>
internal static class StripeEmulatorEvents
{
    /// <summary>
    /// Posts the card's outcome and waits for its webhook: the status of each copy's last attempt (200 once the worker
    /// has committed it), or none for <c>copies: 0</c>.
    /// </summary>
    public static async Task<int[]> CardAsync(HttpClient emulator, string paymentIntentId, string outcome, int copies = 1)
    {
        using var response = await emulator.PostAsync($"/emulator/payment_intents/{paymentIntentId}/{outcome}?deliveries={copies}", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var eventId = (await response.JsonAsync()).GetProperty("event").GetString()!;
        var sent = await Eventually.ReadAsync(
            async () =>
            {
                using var read = await emulator.GetAsync($"/emulator/events/{eventId}");
                Assert.Equal(HttpStatusCode.OK, read.StatusCode);
                return await read.JsonAsync();
            },
            Settled, attempts: 150, TimeSpan.FromMilliseconds(100));
        Assert.True(Settled(sent), $"The emulator is still delivering {eventId}: {sent}");
        return [.. sent.GetProperty("deliveries").EnumerateArray().Select(copy => copy.GetProperty("attempts").EnumerateArray().Last().GetInt32())];
    }

    private static bool Settled(JsonElement sent) =>
        sent.GetProperty("deliveries").EnumerateArray().All(copy => !copy.GetProperty("pending").GetBoolean());
}
