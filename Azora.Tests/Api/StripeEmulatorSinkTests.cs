using System.Net;
using System.Text.Json;
using Azora.Tests.Stack;

namespace Azora.Tests.Api;

/// <summary>
/// The Stripe emulator's webhook sinks, which stand in for a partner's endpoint when the end-to-end suite runs against
/// staging: a delivery is kept, per sink, with what a partner verifies.
/// </summary>
[Collection(StackCollection.Name)]
public class StripeEmulatorSinkTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task A_sink_keeps_each_delivery_with_its_signature_and_event_headers_and_nothing_of_other_sinks()
    {
        using var emulator = stack.CreateStripeEmulatorClient();
        var sink = $"/emulator/webhook-sinks/{Guid.NewGuid():N}";
        using var delivery = new HttpRequestMessage(HttpMethod.Post, sink) { Content = new StringContent("""{"type":"ping"}""") };
        delivery.Headers.Add("Azora-Signature", "t=1,v1=abc");
        delivery.Headers.Add("Azora-Event-Id", "evt_1");
        delivery.Headers.Add("Azora-Event-Type", "ping");

        using (var answer = await emulator.SendAsync(delivery))
        {
            Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        }

        using var kept = JsonDocument.Parse(await emulator.GetStringAsync(sink));
        var only = Assert.Single(kept.RootElement.EnumerateArray());
        Assert.Equal("""{"type":"ping"}""", only.GetProperty("body").GetString());
        Assert.Equal(("t=1,v1=abc", "evt_1", "ping"), (only.GetProperty("signature").GetString(), only.GetProperty("event_id").GetString(), only.GetProperty("event_type").GetString()));
        using var other = JsonDocument.Parse(await emulator.GetStringAsync($"/emulator/webhook-sinks/{Guid.NewGuid():N}"));
        Assert.Empty(other.RootElement.EnumerateArray());
    }
}
