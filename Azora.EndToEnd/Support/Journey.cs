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
