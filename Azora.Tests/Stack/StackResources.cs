using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Azora.Tests.Stack;

/// <summary>Stops, kills and starts the stack's resources the way an outage or a node failure would.</summary>
internal static class StackResources
{
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(2);

    /// <summary>Stops a resource through Aspire (its process ends cleanly) and waits until it is down.</summary>
    public static async Task StopAsync(AzoraStackFixture stack, string name)
    {
        using var timeout = new CancellationTokenSource(Guard);
        var result = await stack.App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(name, "resource-stop", timeout.Token);
        Assert.True(result.Success, result.Message);
        await WaitUntilDownAsync(stack, name, timeout.Token);
    }

    /// <summary>SIGKILL for a resource's process: no shutdown code runs, as when a node fails.</summary>
    public static async Task KillAsync(AzoraStackFixture stack, string name)
    {
        Assert.True(stack.App.ResourceNotifications.TryGetCurrentState(name, out var resource));
        var pid = Convert.ToInt32(resource!.Snapshot.Properties.Single(property => property.Name == "executable.pid").Value);
        using (var process = Process.GetProcessById(pid))
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit();
        }

        using var timeout = new CancellationTokenSource(Guard);
        await WaitUntilDownAsync(stack, name, timeout.Token);
    }

    public static async Task StartAsync(AzoraStackFixture stack, string name)
    {
        using var timeout = new CancellationTokenSource(Guard);
        var result = await stack.App.Services.GetRequiredService<ResourceCommandService>().ExecuteCommandAsync(name, "resource-start", timeout.Token);
        Assert.True(result.Success, result.Message);
        await stack.App.ResourceNotifications.WaitForResourceHealthyAsync(name, timeout.Token);
    }

    private static Task WaitUntilDownAsync(AzoraStackFixture stack, string name, CancellationToken cancellationToken) =>
        stack.App.ResourceNotifications.WaitForResourceAsync(
            name, state => state.Snapshot.State?.Text is "Exited" or "Finished" or "FailedToStart", cancellationToken);
}
