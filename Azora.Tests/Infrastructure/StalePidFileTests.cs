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

    [Fact]
    public void A_cluster_without_a_pid_file_is_left_alone()
    {
        File.WriteAllText(Path.Combine(_cluster.FullName, "PG_VERSION"), "15");

        LocalPostgres.RemoveStalePidFile(_cluster.FullName, NullLogger.Instance);

        Assert.True(File.Exists(Path.Combine(_cluster.FullName, "PG_VERSION")));
    }

    public void Dispose() => _cluster.Delete(recursive: true);
}
