using Azora.Contract.Migrations;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Azora.Tests.Stack;

/// <summary>Direct reads and writes of a stack's database, for what a test checks or sets up behind the API.</summary>
internal static class StackDatabase
{
    public static async Task<long> CountAsync(string connectionString, string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return await connection.ExecuteScalarAsync<long>(sql, parameters);
    }

    public static async Task<string?> ScalarAsync(string connectionString, string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return await connection.ExecuteScalarAsync<string>(sql, parameters);
    }

    public static async Task ExecuteAsync(string connectionString, string sql, object? parameters = null)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.ExecuteAsync(sql, parameters);
    }

    public static async Task<long> CountAsync(this AzoraStackFixture stack, string sql, object? parameters = null) =>
        await CountAsync(await stack.ConnectionStringAsync("azora"), sql, parameters);

    public static async Task ExecuteAsync(this AzoraStackFixture stack, string sql, object? parameters = null) =>
        await ExecuteAsync(await stack.ConnectionStringAsync("azora"), sql, parameters);

    /// <summary>
    /// A new database on the stack's server with every migration applied, for a differently configured worker whose
    /// rows the stack's own worker must not take.
    /// </summary>
    public static async Task<string> CreateMigratedDatabaseAsync(this AzoraStackFixture stack, string prefix)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(await stack.ConnectionStringAsync("azora")) { Database = $"{prefix}_{Guid.NewGuid():N}" }.ConnectionString;
        await SchemaMigrator.MigrateAsync(connectionString, NullLogger.Instance);
        return connectionString;
    }
}
