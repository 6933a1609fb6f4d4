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
        Assert.Equal(36, await StackDatabase.CountAsync(connectionString, "SELECT count(*) FROM courses c JOIN users u ON u.id = c.instructor_id WHERE u.email LIKE '%@sample.azora.world' OR u.email = 'instructor@azora.local'"));
    }

    [Theory]
    [InlineData("admin@azora.local", "admin")]
    [InlineData("instructor@azora.local", "instructor")]
    [InlineData("learner@azora.local", "learner")]
    public async Task Development_has_an_account_per_role_with_the_password_the_readme_gives(string email, string role)
    {
        using var client = stack.CreateApiClient();
        var readme = await File.ReadAllTextAsync(Repository.PathOf("README.md"));
        Assert.Contains($"| `{email}` | `{Azora.Api.Education.Seeding.DevelopmentAccounts.Password}` |", readme);

        var signedIn = await TestAccounts.LoginAsync(client, email, Azora.Api.Education.Seeding.DevelopmentAccounts.Password);

        using var profile = await client.GetAsync("/api/auth/profile", signedIn.AccessToken);
        var body = await profile.JsonAsync();
        Assert.Contains(role, body.GetProperty("roles").EnumerateArray().Select(item => item.GetString()));
        Assert.True(body.GetProperty("emailVerified").GetBoolean(), "sample accounts are created verified, so they can pay");
        if (role == "instructor")
        {
            Assert.Equal(9, await stack.CountAsync("SELECT count(*) FROM courses WHERE instructor_id = @id", new { id = signedIn.UserId }));
        }
    }

    [Fact]
    public async Task Outside_development_the_sample_catalog_opens_no_account_with_the_published_password()
    {
        var database = await stack.CreateMigratedDatabaseAsync("stagingseed");
        using var key = RSA.Create(2048);
        await using var api = await ApiInstance.StartAsync(stack, new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Staging",
            ["Azora:Auth:SigningKeys:0:Pem"] = key.ExportPkcs8PrivateKeyPem(),
            ["Azora:Education:SeedSampleCatalog"] = "true",
        }, databaseConnectionString: database);

        var seeded = await Eventually.ReadAsync(
            () => StackDatabase.CountAsync(database, "SELECT count(*) FROM courses"), count => count > 0, attempts: 100, TimeSpan.FromMilliseconds(200));
        Assert.Equal(36, seeded);
        foreach (var email in new[] { "admin@azora.local", "instructor@azora.local", "learner@azora.local" })
        {
            using var login = await api.Client.PostJsonAsync("/api/auth/login", new { email, password = Azora.Api.Education.Seeding.DevelopmentAccounts.Password });
            await ProblemAssert.IsProblemAsync(login, System.Net.HttpStatusCode.Unauthorized, "INVALID_CREDENTIALS");
        }

        // The owner of a quarter of the sample courses exists; nobody else of the development accounts does.
        Assert.Equal(0, await StackDatabase.CountAsync(database, "SELECT count(*) FROM users WHERE email IN ('admin@azora.local', 'learner@azora.local')"));
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
        // Only the reference categories every environment gets from the migrations (0011), none of the sample data.
        Assert.Equal(Azora.Api.Education.Seeding.SampleCatalog.Categories.Length, await StackDatabase.CountAsync(builder.ConnectionString, "SELECT count(*) FROM categories"));
        Assert.Equal(0, await StackDatabase.CountAsync(builder.ConnectionString, "SELECT count(*) FROM users"));
        using (var login = await api.Client.PostJsonAsync("/api/auth/login", new { email = "admin@azora.local", password = Azora.Api.Education.Seeding.DevelopmentAccounts.Password }))
        {
            Assert.Equal(System.Net.HttpStatusCode.Unauthorized, login.StatusCode);
        }

        Assert.Contains("never seeded", api.Output);
    }

    private static async Task<(long, long, long, long)> CountsAsync(string connectionString) => (
        await StackDatabase.CountAsync(connectionString, "SELECT count(*) FROM categories"),
        await StackDatabase.CountAsync(connectionString, "SELECT count(*) FROM users WHERE email LIKE '%@sample.azora.world'"),
        await StackDatabase.CountAsync(connectionString, "SELECT count(*) FROM courses"),
        await StackDatabase.CountAsync(connectionString, "SELECT count(*) FROM lessons"));
}
