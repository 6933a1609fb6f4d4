using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Npgsql;

namespace Azora.EndToEnd.Support;

/// <summary>
/// The AppHost started in local-infrastructure mode with its own throw-away data directory and random ports, as
/// Azora.Tests' stack fixture does, for runs without <c>AZORA_BASE_URL</c>. Besides the API it offers what only a
/// local stack has: the Stripe emulator's controls and the database (roles have no API yet).
/// </summary>
internal sealed class LocalStack : IAsyncDisposable
{
    public const string StripeWebhookSecret = "whsec_test_azora_e2e";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    private readonly DistributedApplication _app;
    private readonly string _dataDirectory;

    private LocalStack(DistributedApplication app, string dataDirectory)
    {
        _app = app;
        _dataDirectory = dataDirectory;
    }

    public Uri Api => _app.GetEndpoint("api", "http");

    public Uri StripeEmulator => _app.GetEndpoint("stripe", "http");

    public static async Task<LocalStack> StartAsync()
    {
        var dataDirectory = TestDirectories.CreateReachableByPostgres("e2e");
        using var timeout = new CancellationTokenSource(StartTimeout);
        var builder = await LocalAppHost.CreateBuilderAsync(dataDirectory, StripeWebhookSecret, timeout.Token);
        var app = await builder.BuildAsync(timeout.Token);
        var stack = new LocalStack(app, dataDirectory);
        try
        {
            await app.StartAsync(timeout.Token);
            foreach (var resource in new[] { "api", "payments", "stripe" })
            {
                await app.ResourceNotifications.WaitForResourceHealthyAsync(resource, timeout.Token);
            }
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }

        return stack;
    }

    public async Task GrantRoleAsync(Guid userId, string role)
    {
        var connectionString = await _app.GetConnectionStringAsync("azora") ?? throw new InvalidOperationException("No connection string 'azora'.");
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("UPDATE users SET roles = ARRAY[@role] WHERE id = @id", connection);
        command.Parameters.AddWithValue("role", role);
        command.Parameters.AddWithValue("id", userId);
        if (await command.ExecuteNonQueryAsync() != 1)
        {
            throw new InvalidOperationException($"No user {userId} to make {role}.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }
}
