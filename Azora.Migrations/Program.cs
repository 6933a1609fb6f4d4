// Applies the database schema once per deploy, then exits: 0 when the schema is current, 1 when it could not be
// brought there. The AppHost runs it before the services (WaitForCompletion); Kubernetes runs it as a Job.
using Azora.Contract.Migrations;

var builder = Host.CreateApplicationBuilder(args);
builder.ConfigureLogging();
builder.ConfigureOpenTelemetry();
using var host = builder.Build();

var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Azora.Migrations");
// The migrations hold a session advisory lock across several transactions, which PgBouncer in transaction mode would
// hand to another client's connection: in the clusters they take the direct connection string, never the pooled one.
var connectionString = builder.Configuration.GetConnectionString("azora-direct") is { Length: > 0 } direct
    ? direct
    : builder.Configuration.GetConnectionString("azora");
if (string.IsNullOrWhiteSpace(connectionString))
{
    logger.LogCritical("Neither connection string 'azora-direct' nor 'azora' is set (ConnectionStrings__azora-direct, ConnectionStrings__azora).");
    return 1;
}

await host.StartAsync();
try
{
    var outcome = await SchemaMigrator.MigrateAsync(connectionString, logger);
    logger.LogInformation("Schema is current; this run applied {Count} script(s): {Scripts}",
        outcome.AppliedScripts.Count, string.Join(", ", outcome.AppliedScripts));
    return 0;
}
catch (Exception ex) when (ex is SchemaMigrationException or Npgsql.NpgsqlException)
{
    logger.LogCritical(ex, "Schema migration failed");
    return 1;
}
finally
{
    // Flushes the OpenTelemetry exporters so the dashboard shows the whole run.
    await host.StopAsync();
}
