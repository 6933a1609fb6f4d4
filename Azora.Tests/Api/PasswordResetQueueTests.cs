using Azora.Api.Auth.Recovery;
using Microsoft.Extensions.Logging.Abstractions;

namespace Azora.Tests.Api;

public sealed class PasswordResetQueueTests
{
    [Fact]
    public async Task A_full_queue_drops_further_requests_instead_of_holding_them_in_memory()
    {
        var queue = new PasswordResetQueue(NullLogger<PasswordResetQueue>.Instance);
        for (var request = 0; request < PasswordResetQueue.Capacity + 10; request++)
        {
            queue.Enqueue($"person-{request}@example.com");
        }

        var taken = new List<string>();
        using var drained = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        try
        {
            await foreach (var email in queue.ReadAllAsync(drained.Token))
            {
                taken.Add(email);
            }
        }
        catch (OperationCanceledException)
        {
        }

        Assert.Equal(PasswordResetQueue.Capacity, taken.Count);
        Assert.Equal("person-0@example.com", taken[0]);
        Assert.Equal($"person-{PasswordResetQueue.Capacity - 1}@example.com", taken[^1]);
    }
}
