using Azora.Tests.Stack;
using Npgsql;

namespace Azora.Tests.Api;

/// <summary>
/// In the clusters <c>ConnectionStrings:azora</c> goes through PgBouncer in transaction mode, where a LISTEN is lost
/// with its transaction; the API's key-cache listener and the worker's relay listener take
/// <c>ConnectionStrings:azora-direct</c> when it is given, and the pooled string when it is not (locally, the AppHost).
/// The two strings reach the stack's PostgreSQL under different application names, so pg_stat_activity tells them apart.
/// </summary>
[Collection(StackCollection.Name)]
public class DirectConnectionTests(AzoraStackFixture stack)
{
    [Theory]
    [InlineData(false, "LISTEN azora_api_keys", true)]
    [InlineData(true, "LISTEN azora_relay", true)]
    [InlineData(false, "LISTEN azora_api_keys", false)]
    [InlineData(true, "LISTEN azora_relay", false)]
    public async Task The_listener_uses_the_direct_connection_string_when_one_is_given(bool paymentsWorker, string listen, bool directGiven)
    {
        var database = await stack.ConnectionStringAsync("azora");
        var run = Guid.NewGuid().ToString("N")[..12];
        var pooled = new NpgsqlConnectionStringBuilder(database) { ApplicationName = $"pooled-{run}" }.ConnectionString;
        var direct = new NpgsqlConnectionStringBuilder(database) { ApplicationName = $"direct-{run}" }.ConnectionString;
        var settings = new Dictionary<string, string> { ["Azora:Webhooks:PollInterval"] = "00:00:01" };
        if (directGiven)
        {
            settings["ConnectionStrings:azora-direct"] = direct;
        }

        await using var instance = await ApiInstance.StartAsync(stack, settings, databaseConnectionString: pooled, paymentsWorker: paymentsWorker);

        var listening = await Eventually.ReadAsync(
            () => StackDatabase.ScalarAsync(
                database,
                "SELECT string_agg(DISTINCT application_name, ',') FROM pg_stat_activity WHERE query = @listen AND application_name IN (@pooled, @direct)",
                new { listen, pooled = $"pooled-{run}", direct = $"direct-{run}" }),
            names => names is not null,
            attempts: 300,
            TimeSpan.FromMilliseconds(100));

        Assert.Equal(directGiven ? $"direct-{run}" : $"pooled-{run}", listening);
        if (directGiven)
        {
            // Everything else still goes through the pooled string: the instance answers a request that reads the database.
            using var health = await instance.Client.GetAsync("/health");
            Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
            Assert.True(await StackDatabase.CountAsync(database, "SELECT count(*) FROM pg_stat_activity WHERE application_name = @name", new { name = $"pooled-{run}" }) > 0);
        }
    }
}
