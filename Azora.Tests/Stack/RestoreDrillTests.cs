using Npgsql;

namespace Azora.Tests.Stack;

/// <summary>
/// <c>scripts/restore-drill.sh</c> for real: the stack's database is dumped the way the nightly backup dumps it,
/// restored into a fresh database, and compared table by table.
/// </summary>
[Collection(StackCollection.Name)]
public sealed class RestoreDrillTests(AzoraStackFixture stack)
{
    private async Task<string> DatabaseUrlAsync()
    {
        var connection = new NpgsqlConnectionStringBuilder(await stack.ConnectionStringAsync("azora"));
        var password = string.IsNullOrEmpty(connection.Password) ? "" : ":" + Uri.EscapeDataString(connection.Password);
        return $"postgresql://{connection.Username}{password}@{connection.Host}:{connection.Port}/{connection.Database}";
    }

    [Fact]
    public async Task A_backup_restores_with_every_table_identical()
    {
        var tables = await stack.CountAsync(
            "SELECT count(*) FROM information_schema.tables WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')");
        var courses = await stack.CountAsync("SELECT count(*) FROM courses");

        var (exitCode, output, error) = await Repository.RunAsync("scripts/restore-drill.sh", [await DatabaseUrlAsync()]);

        Assert.True(exitCode == 0, output + error);
        Assert.Contains($"restore drill passed: {tables} tables restored with identical row counts and checksums", output);
        Assert.Matches($@"public\.courses\s+{courses} rows", output);
        Assert.True(courses > 0, "the sample catalog should give the drill data to compare");
        Assert.Matches(@"dump \d+\.\d s \(\d+ bytes\), restore \d+\.\d s", output);
        Assert.Equal(0, await stack.CountAsync("SELECT count(*) FROM pg_database WHERE datname LIKE 'azora_restore_drill_%'"));
    }

    [Fact]
    public async Task A_restore_that_lost_rows_fails_the_drill_naming_the_table()
    {
        var (exitCode, output, error) = await Repository.RunAsync(
            "scripts/restore-drill.sh", [await DatabaseUrlAsync()],
            new Dictionary<string, string> { ["AZORA_RESTORE_DRILL_TAMPER_SQL"] = "DELETE FROM lessons WHERE position = 1" });

        Assert.Equal(1, exitCode);
        Assert.Contains("error: the restored database differs from the source:", error);
        Assert.Contains("public.lessons", error);
        Assert.DoesNotContain("restore drill passed", output);
    }

    [Fact]
    public async Task A_database_given_in_another_form_is_refused_with_the_expected_form()
    {
        var (exitCode, _, error) = await Repository.RunAsync("scripts/restore-drill.sh", ["Host=localhost;Database=azora"]);

        Assert.Equal(1, exitCode);
        Assert.Contains("give the database as postgresql://user[:password]@host:port/database", error);
    }
}
