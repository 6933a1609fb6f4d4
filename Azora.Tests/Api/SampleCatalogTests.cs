using System.Security.Cryptography;
using Azora.Contract.Migrations;
using Azora.Tests.Stack;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Azora.Tests.Api;

[Collection(StackCollection.Name)]
public class SampleCatalogTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task Seeding_again_changes_nothing()
    {
        var connectionString = await stack.ConnectionStringAsync("azora");
        var before = await CountsAsync(connectionString);

        // Each start of the API seeds; the stack's API already did.
        await using (await ApiInstance.StartAsync(stack, new Dictionary<string, string>()))
        {
        }

        Assert.Equal(before, await CountsAsync(connectionString));
        Assert.Equal(36, await StackDatabase.CountAsync(connectionString, "SELECT count(*) FROM courses c JOIN users u ON u.id = c.instructor_id WHERE u.email LIKE '%@sample.azora.world'"));
    }

    [Fact]
    public async Task Production_is_never_seeded_whatever_the_setting()
    {
        var builder = new NpgsqlConnectionStringBuilder(await stack.ConnectionStringAsync("azora")) { Database = $"production_{Guid.NewGuid():N}" };
        await SchemaMigrator.MigrateAsync(builder.ConnectionString, NullLogger.Instance);
        using var key = RSA.Create(2048);

        await using var api = await ApiInstance.StartAsync(stack, new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Azora:Auth:SigningKeys:0:Pem"] = key.ExportPkcs8PrivateKeyPem(),
            ["Azora:Education:SeedSampleCatalog"] = "true",
        }, databaseConnectionString: builder.ConnectionString);

        Assert.Equal(0, await StackDatabase.CountAsync(builder.ConnectionString, "SELECT count(*) FROM courses"));
        Assert.Equal(0, await StackDatabase.CountAsync(builder.ConnectionString, "SELECT count(*) FROM categories"));
        Assert.Contains("never seeded", api.Output);
    }

    private static async Task<(long, long, long, long)> CountsAsync(string connectionString) => (
        await StackDatabase.CountAsync(connectionString, "SELECT count(*) FROM categories"),
        await StackDatabase.CountAsync(connectionString, "SELECT count(*) FROM users WHERE email LIKE '%@sample.azora.world'"),
        await StackDatabase.CountAsync(connectionString, "SELECT count(*) FROM courses"),
        await StackDatabase.CountAsync(connectionString, "SELECT count(*) FROM lessons"));
}
