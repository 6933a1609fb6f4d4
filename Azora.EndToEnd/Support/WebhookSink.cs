using System.Text.Json;

namespace Azora.EndToEnd.Support;

/// <summary>
/// A partner's endpoint on a deployed environment: a webhook sink of its Stripe emulator
/// (<c>POST /emulator/webhook-sinks/{name}</c> on the public host), which keeps what reached it for the journey to read
/// back. The payments worker reaches it as any partner, over HTTPS on a public address.
/// </summary>
internal sealed class WebhookSink(string emulatorBaseUrl, ApiClient emulator) : IWebhookReceiver
{
    private readonly string _path = $"/emulator/webhook-sinks/{Guid.NewGuid():N}";

    public string Url => emulatorBaseUrl + _path;

    public async Task<ReceivedWebhook> WaitForFirstAsync(TimeSpan within)
    {
        var received = await Eventually.ReadAsync(
            async () => (await emulator.GetAsync(_path)).Expect(200).Json.EnumerateArray().Select(Read).FirstOrDefault(),
            first => first is not null,
            attempts: (int)(within.TotalMilliseconds / 500),
            TimeSpan.FromMilliseconds(500));
        return received ?? throw new TimeoutException($"No webhook reached {Url} within {within}.");
    }

    public ValueTask DisposeAsync() => emulator.DisposeAsync();

    private static ReceivedWebhook Read(JsonElement delivery) => new(
        delivery.GetProperty("body").GetString()!,
        delivery.GetProperty("signature").GetString()!,
        delivery.GetProperty("event_id").GetString()!,
        delivery.GetProperty("event_type").GetString()!);
}
