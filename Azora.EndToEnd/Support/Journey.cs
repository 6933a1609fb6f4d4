using System.Runtime.CompilerServices;
using Xunit.Abstractions;

namespace Azora.EndToEnd.Support;

/// <summary>
/// A journey's steps run with a fresh API client; when a step fails, the journey's requests and responses are written
/// to the artifacts folder and the test output says where. On the local stack run as Production (the smoke run of a
/// new production) a journey must also leave every table as it found it.
/// </summary>
[Collection(AzoraCollection.Name)]
public abstract class Journey(AzoraTarget target, ITestOutputHelper output)
{
    protected AzoraTarget Target => target;

    protected ITestOutputHelper Output => output;

    /// <summary>Skips the journey, with the reason, when it needs what only the local stack has.</summary>
    protected static void RequireLocalStack(string why) =>
        Skip.IfNot(AzoraTarget.IsLocal, $"Needs the local stack ({AzoraTarget.BaseUrlVariable} is set): {why}");

    /// <summary>Skips the journey when no Stripe emulator decides card outcomes (production talks to Stripe itself).</summary>
    protected static void RequireStripeEmulator() =>
        Skip.IfNot(AzoraTarget.HasStripeEmulator,
            $"Needs a Stripe emulator: the local stack's, or a deployed one at {AzoraTarget.StripeEmulatorUrlVariable} (staging)");

    /// <summary>Skips the journey when the suite cannot verify an account's email (see <see cref="AzoraTarget.VerifyEmailAsync"/>).</summary>
    protected static void RequireEmailVerification() =>
        Skip.IfNot(AzoraTarget.CanVerifyEmails,
            $"Needs a way to verify a test account's email: the local stack's mail, or the database through {AzoraTarget.KubectlNamespaceVariable} (staging)");

    /// <summary>
    /// Skips the journey unless a partner endpoint can be read back and instructors can be made: the local stack, or
    /// a deployed environment with its Stripe emulator's webhook sinks and kubectl access to its database (staging).
    /// </summary>
    protected static void RequireWebhookReceiverAndRoles() =>
        Skip.IfNot(AzoraTarget.HasWebhookReceiver && AzoraTarget.CanGrantRoles,
            $"Needs a partner endpoint the worker reaches ({AzoraTarget.StripeEmulatorUrlVariable}) and a way to make instructors ({AzoraTarget.KubectlNamespaceVariable})");

    internal async Task RunAsync(Func<ApiClient, Task> steps, [CallerMemberName] string name = "")
    {
        var log = new RequestLog();
        await using var api = await target.ApiAsync(log);
        try
        {
            var before = target.IsLocalProduction ? await target.Local.RowCountsAsync() : null;
            await steps(api);
            if (before is not null)
            {
                Assert.Equal(before, await target.Local.RowCountsAsync());
            }
        }
        catch
        {
            output.WriteLine($"Requests and responses of this journey: {log.Write(name)}");
            throw;
        }
    }
}
