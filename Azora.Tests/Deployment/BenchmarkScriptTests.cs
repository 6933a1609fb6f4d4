namespace Azora.Tests.Deployment;

/// <summary>
/// <c>benchmarks/run.sh</c> (the ceiling table in one command) takes seconds per phase or <c>--quick</c>; anything else is
/// refused before it builds or starts a stack, which would otherwise take minutes to say nothing useful. Its figures
/// are never asserted: they are read, and they change with the machine.
/// </summary>
public sealed class BenchmarkScriptTests
{
    [Theory]
    [InlineData("ten")]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("--fast")]
    public async Task A_duration_that_is_not_whole_seconds_is_refused_before_anything_runs(string argument)
    {
        var (exitCode, output, error) = await Repository.RunAsync("benchmarks/run.sh", [argument]);

        Assert.Equal(2, exitCode);
        Assert.Contains("usage: benchmarks/run.sh [seconds per phase | --quick]", error);
        Assert.Equal("", output);
    }
}
