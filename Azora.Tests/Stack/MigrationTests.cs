using Azora.Contract.Migrations;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Azora.Tests.Stack;

[Collection(StackCollection.Name)]
public class MigrationTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task The_migration_step_ran_to_completion_before_the_services()
    {
        var migrations = await stack.App.ResourceNotifications.WaitForResourceAsync(
            "migrations", resourceEvent => KnownResourceStates.TerminalStates.Contains(resourceEvent.Snapshot.State?.Text));

        Assert.Equal(KnownResourceStates.Finished, migrations.Snapshot.State?.Text);
        Assert.Equal(0, migrations.Snapshot.ExitCode);
    }

    [Fact]
    public async Task Applying_the_migrations_again_changes_nothing()
    {
        var connectionString = await stack.ConnectionStringAsync("azora");
        var before = await JournalAsync(connectionString);

        var outcome = await SchemaMigrator.MigrateAsync(connectionString, NullLogger.Instance);

        Assert.Empty(outcome.AppliedScripts);
        Assert.Equal(before, await JournalAsync(connectionString));
        Assert.Equal(ScriptsOnDisk(), before);
    }

    [Fact]
    public async Task Concurrent_migrations_of_a_new_database_create_it_and_apply_each_script_once()
    {
        var connectionString = new NpgsqlConnectionStringBuilder(await stack.ConnectionStringAsync("azora"))
        {
            Database = $"azora_concurrent_{Guid.NewGuid():N}",
        }.ConnectionString;

        var outcomes = await Task.WhenAll(
            Enumerable.Range(0, 3).Select(_ => Task.Run(() => SchemaMigrator.MigrateAsync(connectionString, NullLogger.Instance))));

        var applied = outcomes.SelectMany(outcome => outcome.AppliedScripts).ToList();
        Assert.Equal(ScriptsOnDisk(), applied);
        Assert.Equal(ScriptsOnDisk(), await JournalAsync(connectionString));
    }

    /// <summary>
    /// The journal names of the scripts in the repository's Scripts folder, in order: what a new database must get,
    /// found without asking the migrator (a script left out of its embedded resources is then missing, not agreed on).
    /// </summary>
    private static List<string> ScriptsOnDisk()
    {
        var scripts = Directory.GetFiles(Repository.PathOf("Azora.Contract/Migrations/Scripts"), "*.sql")
            .Select(path => "Azora.Data.Migrations.Scripts." + Path.GetFileName(path))
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.NotEmpty(scripts);
        return scripts;
    }

    private static async Task<List<string>> JournalAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT scriptname FROM {SchemaMigrator.JournalTable} ORDER BY scriptname", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var names = new List<string>();
        while (await reader.ReadAsync())
        {
            names.Add(reader.GetString(0));
        }

        return names;
    }
}
