using System.Diagnostics;
using Azora.AppHost.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace Azora.Tests.Infrastructure;

public sealed class StalePidFileTests : IDisposable
{
    private readonly DirectoryInfo _cluster = Directory.CreateTempSubdirectory("azora-cluster-");

    private string PidFile => Path.Combine(_cluster.FullName, "postmaster.pid");

    [Fact]
    public void A_pid_file_naming_a_process_that_is_not_postgres_is_removed()
    {
        // The test runner's own pid: alive, but not PostgreSQL (a reused pid after a killed run).
        File.WriteAllLines(PidFile, [Environment.ProcessId.ToString(), _cluster.FullName, "1700000000", "5432"]);

        LocalPostgres.RemoveStalePidFile(_cluster.FullName, NullLogger.Instance);

        Assert.False(File.Exists(PidFile));
    }

    [Fact]
    public void A_pid_file_naming_no_process_is_removed()
    {
        File.WriteAllLines(PidFile, [int.MaxValue.ToString(), _cluster.FullName]);

        LocalPostgres.RemoveStalePidFile(_cluster.FullName, NullLogger.Instance);

        Assert.False(File.Exists(PidFile));
    }

    [Theory]
    [InlineData("postgres")]
    [InlineData("postmaster")]
    public async Task A_pid_file_naming_a_running_postgres_is_kept(string processName)
    {
        // A live process the kernel knows by that name (/proc/PID/comm), as a running server is.
        var executable = Path.Combine(_cluster.FullName, processName);
        File.Copy("/bin/sleep", executable);
        File.SetUnixFileMode(executable, UnixFileMode.UserRead | UnixFileMode.UserExecute);
        using var server = Process.Start(executable, "300");
        try
        {
            File.WriteAllLines(PidFile, [server.Id.ToString(), _cluster.FullName, "1700000000", "5432"]);

            LocalPostgres.RemoveStalePidFile(_cluster.FullName, NullLogger.Instance);

            Assert.True(File.Exists(PidFile), "the pid file of a running postgres was removed");
        }
        finally
        {
            server.Kill();
            await server.WaitForExitAsync();
        }
    }

    [Fact]
    public void A_cluster_without_a_pid_file_is_left_as_it_was()
    {
        File.WriteAllText(Path.Combine(_cluster.FullName, "PG_VERSION"), "15");

        LocalPostgres.RemoveStalePidFile(_cluster.FullName, NullLogger.Instance);

        Assert.Equal(["PG_VERSION"], _cluster.GetFiles().Select(file => file.Name));
    }

    public void Dispose() => _cluster.Delete(recursive: true);
}
