namespace Azora.Tests.Deployment;

/// <summary>
/// <c>scripts/test-summary.sh</c>, which ends every test run (and so CI) with the totals of the TRX reports, on reports
/// shaped like those of <c>dotnet test --logger trx</c>.
/// </summary>
public sealed class TestSummaryScriptTests : IDisposable
{
    private readonly ScratchFolder _scratch = new();

    public void Dispose() => _scratch.Dispose();

    private static string Report(int passed, int failed, string results, int skipped = 0) => $"""
        <?xml version="1.0" encoding="utf-8"?>
        <TestRun id="1" name="vm" xmlns="http://microsoft.com/schemas/2006/01/testmanagement">
          <Results>
        {results}
          </Results>
          <ResultSummary outcome="{(failed > 0 ? "Failed" : "Completed")}">
            <Counters total="{passed + failed + skipped}" executed="{passed + failed}" passed="{passed}" failed="{failed}" error="0" timeout="0" aborted="0" inconclusive="0" passedButRunAborted="0" notRunnable="0" notExecuted="0" disconnected="0" warning="0" completed="0" inProgress="0" pending="0" />
          </ResultSummary>
        </TestRun>
        """;

    private const string Passed = """
            <UnitTestResult executionId="a" testId="b" testName="Azora.Tests.Sample.Passes" computerName="vm" duration="00:00:00.01" outcome="Passed" testListId="c" />
        """;

    private const string Failed = """
            <UnitTestResult executionId="d" testId="e" testName="Azora.Tests.Sample.Fails(text: &quot;a &amp; b&quot;)" computerName="vm" duration="00:00:01" outcome="Failed" testListId="c">
              <Output>
                <ErrorInfo>
                  <Message>Assert.Equal() Failure: Values differ
        Expected: 1
        Actual:   2</Message>
                  <StackTrace>   at Azora.Tests.Sample.Fails(String text) in Sample.cs:line 9</StackTrace>
                </ErrorInfo>
              </Output>
            </UnitTestResult>
        """;

    // As dotnet test writes a skipped xunit test: outcome NotExecuted, while the Counters' notExecuted stays 0.
    private const string Skipped = """
            <UnitTestResult executionId="f" testId="g" testName="Azora.Tests.Sample.NeedsTheLocalStack" computerName="vm" duration="00:00:00" outcome="NotExecuted" testListId="c">
              <Output>
                <StdOut>Needs the local stack</StdOut>
              </Output>
            </UnitTestResult>
        """;

    private Task<(int ExitCode, string Output, string Error)> SummarizeAsync() =>
        Repository.RunAsync("scripts/test-summary.sh", [_scratch.PathOf("")]);

    [Fact]
    public async Task Failed_tests_are_named_with_their_message_above_the_skipped_count_and_the_totals_of_every_report()
    {
        await _scratch.WriteAsync("tests.trx", Report(passed: 1, failed: 1, Passed + Failed));
        await _scratch.WriteAsync("end-to-end.trx", Report(passed: 3, failed: 0, Passed + Skipped + Skipped, skipped: 2));

        var (exitCode, output, _) = await SummarizeAsync();

        Assert.Equal(1, exitCode);
        Assert.Equal(
            [
                "failed: Azora.Tests.Sample.Fails(text: \"a & b\")",
                "    Assert.Equal() Failure: Values differ Expected: 1 Actual:   2",
                "2 skipped",
                "4 passed, 1 failed",
            ],
            output.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task A_green_run_prints_only_the_totals_and_succeeds()
    {
        await _scratch.WriteAsync("tests.trx", Report(passed: 2, failed: 0, Passed));

        var (exitCode, output, _) = await SummarizeAsync();

        Assert.Equal(0, exitCode);
        Assert.Equal("0 skipped\n2 passed, 0 failed\n", output);
    }

    [Fact]
    public async Task A_run_without_any_test_fails_and_says_so()
    {
        var (exitCode, output, error) = await SummarizeAsync();

        Assert.Equal(1, exitCode);
        Assert.Equal("0 skipped\n0 passed, 0 failed\n", output);
        Assert.Contains("no test ran", error);
    }
}
