using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azora.Tests.Stack;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace Azora.Tests.Api;

/// <summary>
/// How long a service waits for a dependency that stops answering is chosen, not inherited from the drivers:
/// docs/deployment/INFRASTRUCTURE-GUIDE.md#time-budgets-for-dependencies.
/// </summary>
[Collection(StackCollection.Name)]
public class DependencyBudgetTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task A_database_that_accepts_connections_but_never_answers_fails_health_by_the_checks_own_timeout()
    {
        // A black hole: the kernel completes the TCP handshake, nobody ever speaks PostgreSQL.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var database = new NpgsqlConnectionStringBuilder(await stack.ConnectionStringAsync("azora"))
        {
            Host = "127.0.0.1",
            Port = ((IPEndPoint)silent.LocalEndpoint).Port,
        };
        await using var api = await ApiInstance.StartAsync(stack, new Dictionary<string, string>(), databaseConnectionString: database.ConnectionString);

        using var response = await api.Client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Unhealthy", body.RootElement.GetProperty("checks").GetProperty("PostgreSql").GetString());
        Assert.Equal("Healthy", body.RootElement.GetProperty("checks").GetProperty("StackExchange.Redis").GetString());
        // The health-check service cut the check off; without a budget it would wait for Npgsql's 15 s connect timeout.
        const string TimedOut = "Health check PostgreSql threw an unhandled exception after [0-9.]+ms\\s+System.Threading.Tasks.TaskCanceledException";
        var output = await Eventually.ReadAsync(() => Task.FromResult(api.Output), text => Regex.IsMatch(text, TimedOut), attempts: 50, TimeSpan.FromMilliseconds(200));
        Assert.True(Regex.IsMatch(output, TimedOut), output);
    }

    [Fact]
    public void The_budgets_reach_the_database_and_cache_clients_and_every_health_check()
    {
        using var host = HostWith([]);

        Assert.Equal(5, new NpgsqlConnectionStringBuilder(host.Services.GetRequiredService<NpgsqlDataSource>().ConnectionString).Timeout);
        var cache = host.Services.GetRequiredService<IOptionsMonitor<ConfigurationOptions>>().Get(Options.DefaultName);
        Assert.Equal((5000, 2000, 2000), (cache.ConnectTimeout, cache.SyncTimeout, cache.AsyncTimeout));
        var checks = host.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations;
        Assert.Contains(checks, check => check.Name == "PostgreSql");
        Assert.All(checks, check => Assert.Equal(TimeSpan.FromSeconds(2), check.Timeout));
    }

    [Fact]
    public void The_budgets_are_configurable()
    {
        using var host = HostWith(new()
        {
            ["Azora:Dependencies:DatabaseConnectTimeout"] = "00:00:03",
            ["Azora:Dependencies:CacheConnectTimeout"] = "00:00:04",
            ["Azora:Dependencies:CacheCommandTimeout"] = "00:00:01",
            ["Azora:Dependencies:HealthCheckTimeout"] = "00:00:00.500",
        });

        Assert.Equal(3, new NpgsqlConnectionStringBuilder(host.Services.GetRequiredService<NpgsqlDataSource>().ConnectionString).Timeout);
        var cache = host.Services.GetRequiredService<IOptionsMonitor<ConfigurationOptions>>().Get(Options.DefaultName);
        Assert.Equal((4000, 1000, 1000), (cache.ConnectTimeout, cache.SyncTimeout, cache.AsyncTimeout));
        Assert.All(host.Services.GetRequiredService<IOptions<HealthCheckServiceOptions>>().Value.Registrations,
            check => Assert.Equal(TimeSpan.FromMilliseconds(500), check.Timeout));
    }

    /// <summary>A host wired as the services wire theirs; nothing connects until a client is used.</summary>
    private static IHost HostWith(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:azora"] = "Host=127.0.0.1;Port=5432;Username=azora;Database=azora",
            ["ConnectionStrings:cache"] = "127.0.0.1:6379",
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.AddServiceDefaults();
        builder.AddDatabaseAndCache();
        return builder.Build();
    }
}
