using DbUp;
using DbUp.Engine.Output;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Azora.Contract.Migrations;

/// <summary>
/// Applies the versioned SQL scripts embedded in this assembly (<c>Migrations/Scripts/NNNN_name.sql</c>, applied in
/// name order, each in its own transaction) and records them in <c>public.schema_versions</c>. Creates the database
/// when it does not exist. Concurrent runs are serialised by a PostgreSQL advisory lock, so two deploy steps started
/// at once create the database once and apply every script exactly once.
/// </summary>
public static class SchemaMigrator
{
    public const string JournalTable = "schema_versions";

    // Any constant works as long as nothing else in the database takes the same advisory lock.
    private const long MigrationLockKey = 0x417A6F7261; // "Azora"

    // The scripts' journal names: the project was Azora.Data when the first databases were migrated, and a script whose
    // name changes is applied again; Azora.Contract.csproj pins these resource names.
    private const string ScriptNamespace = "Azora.Data.Migrations.Scripts.";

    public static async Task<MigrationOutcome> MigrateAsync(string connectionString, ILogger logger, CancellationToken cancellationToken = default)
    {
        // The lock is taken in the maintenance database, which exists before ours does, so that creating the database
        // is serialised too (dbup's EnsureDatabase connects there as well).
        var maintenance = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres" }.ConnectionString;
        await using var lockConnection = new NpgsqlConnection(maintenance);
        await lockConnection.OpenAsync(cancellationToken);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", lockConnection))
        {
            take.Parameters.AddWithValue("key", MigrationLockKey);
            await take.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            EnsureDatabase.For.PostgresqlDatabase(connectionString, new MicrosoftUpgradeLog(logger));

            var upgrader = DeployChanges.To.PostgresqlDatabase(connectionString)
                .WithScriptsEmbeddedInAssembly(typeof(SchemaMigrator).Assembly, name => name.StartsWith(ScriptNamespace, StringComparison.Ordinal))
                .WithTransactionPerScript()
                .JournalToPostgresqlTable("public", JournalTable)
                .LogTo(logger)
                .Build();

            var result = upgrader.PerformUpgrade();
            if (!result.Successful)
            {
                throw new SchemaMigrationException(result.ErrorScript?.Name, result.Error);
            }

            return new MigrationOutcome([.. result.Scripts.Select(script => script.Name)]);
        }
        finally
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", lockConnection);
            release.Parameters.AddWithValue("key", MigrationLockKey);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }
}

/// <param name="AppliedScripts">The scripts this run applied; empty when the schema was already current.</param>
public sealed record MigrationOutcome(IReadOnlyList<string> AppliedScripts);

public sealed class SchemaMigrationException(string? script, Exception? inner)
    : Exception($"Schema migration failed in script '{script ?? "(none)"}': {inner?.Message}", inner)
{
    public string? Script { get; } = script;
}
