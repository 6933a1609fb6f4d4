using Azora.Soak;
using Xunit.Abstractions;

namespace Azora.Tests.Soak;

/// <summary>
/// The soak's short version (benchmarks/soak.sh runs the long one): a minute of mixed traffic on two API replicas while
/// the cache server is killed and the payments worker SIGKILLed, then the audit. It starts a stack of its own, because
/// its faults would break the shared one. No timing is asserted: only the audit's invariants (nothing lost, nothing
/// doubled, no 5xx outside the faults, every fault recovered by the end, caches and rate-limit counters consistent).
/// </summary>
public class SoakTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_minute_of_mixed_traffic_with_the_cache_killed_and_the_worker_killed_loses_nothing_and_doubles_nothing()
    {
        var log = new StringWriter();
        var report = await SoakRun.RunAsync(SoakOptions.Short(TimeSpan.FromMinutes(1)), TextWriter.Synchronized(log), CancellationToken.None);

        output.WriteLine(report.Markdown);
        Assert.NotEmpty(report.Invariants);
        Assert.True(report.Ok, $"{report.Markdown}\n{log}");
    }
}
