using Azora.Tests.Api;
using Azora.Tests.Stack;

namespace Azora.Tests.Mail;

/// <summary>The worker checks its mail settings when it starts and stops with a message naming the wrong one.</summary>
[Collection(StackCollection.Name)]
public class MailSettingsTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task Outside_development_the_worker_refuses_to_start_without_an_smtp_relay()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ApiInstance.StartAsync(
            stack, new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Production" }, paymentsWorker: true));

        Assert.Contains("Azora:Mail:Smtp:Host is not set", failure.Message);
    }

    [Fact]
    public async Task A_lease_shorter_than_a_send_can_take_stops_the_start()
    {
        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => ApiInstance.StartAsync(stack, new Dictionary<string, string>
        {
            ["Azora:Mail:Smtp:Host"] = "127.0.0.1",
            ["Azora:Mail:Smtp:Timeout"] = "00:00:30",
            ["Azora:Mail:Sender:Lease"] = "00:01:00",
        }, paymentsWorker: true));

        Assert.Contains("Azora:Mail:Sender:Lease must be at least four times Azora:Mail:Smtp:Timeout", failure.Message);
    }
}
