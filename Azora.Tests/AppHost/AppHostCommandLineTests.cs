namespace Azora.Tests.AppHost;

/// <summary>The AppHost as an operator runs it: a process, its exit code and what it prints.</summary>
public sealed class AppHostCommandLineTests : IDisposable
{
    private readonly string _dataDirectory = TestDirectories.CreateReachableByPostgres("cli");

    private static Task<(int ExitCode, string Output, string Error)> RunAppHostAsync(IDictionary<string, string> environment, params string[] args) =>
        Repository.RunAsync(Path.Combine(AppContext.BaseDirectory, "Azora.AppHost"), args, environment, AppContext.BaseDirectory);

    [Fact]
    public async Task Without_container_runtime_or_postgres_binaries_it_stops_at_once_with_one_clear_message()
    {
        var (exitCode, output, error) = await RunAppHostAsync(new Dictionary<string, string>
        {
            ["ASPIRE_CONTAINER_RUNTIME"] = "azora-no-such-runtime",
            ["Azora__Postgres__BinDirectory"] = "/nonexistent/postgresql/bin",
            ["Azora__DataDirectory"] = _dataDirectory,
        });

        Assert.Equal(1, exitCode);
        Assert.StartsWith("Azora cannot start: No container runtime answered", error);
        Assert.Contains("apt-get install postgresql", error);
        Assert.DoesNotContain("Unhandled exception", error + output);
        Assert.DoesNotContain("   at ", error);
    }

    [Fact]
    public async Task Reset_data_removes_the_local_state()
    {
        var cluster = Path.Combine(_dataDirectory, "postgres");
        Directory.CreateDirectory(cluster);
        File.WriteAllText(Path.Combine(cluster, "PG_VERSION"), "15");

        var (exitCode, output, _) = await RunAppHostAsync(
            new Dictionary<string, string> { ["Azora__Infrastructure"] = "local", ["Azora__DataDirectory"] = _dataDirectory }, "--reset-data");

        Assert.Equal(0, exitCode);
        Assert.Contains("Local data reset", output);
        Assert.False(Directory.Exists(_dataDirectory));
    }

    [Fact]
    public async Task Reset_data_refuses_while_postgres_still_runs_on_the_folder()
    {
        var cluster = Path.Combine(_dataDirectory, "postgres");
        Directory.CreateDirectory(cluster);
        // A live pid stands in for the postmaster: the reset must not pull the folder from under a running server.
        File.WriteAllLines(Path.Combine(cluster, "postmaster.pid"), [Environment.ProcessId.ToString()]);

        var (exitCode, _, error) = await RunAppHostAsync(
            new Dictionary<string, string> { ["Azora__Infrastructure"] = "local", ["Azora__DataDirectory"] = _dataDirectory }, "--reset-data");

        Assert.Equal(1, exitCode);
        Assert.Contains("stop the stack", error);
        Assert.True(File.Exists(Path.Combine(cluster, "postmaster.pid")));
    }

    public void Dispose()
    {
        if (Directory.Exists(_dataDirectory))
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
    }
}
