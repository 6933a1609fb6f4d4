using System.Security.Cryptography;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Npgsql;

namespace Azora.EndToEnd.Support;

/// <summary>
/// The AppHost started in local-infrastructure mode with its own throw-away data directory and random ports, as
/// Azora.Tests' stack fixture does, for runs without <c>AZORA_BASE_URL</c>. Besides the API and the web portal it offers what only a
/// local stack has: the Stripe emulator's controls and the database (roles have no API yet).
/// <para>
/// With <c>AZORA_E2E_ENVIRONMENT=Production</c> the migration step and the services run as Production runs them: no
/// sample catalog, a configured signing key, Stripe keys instead of the emulator (nothing calls Stripe unless a
/// journey pays), an empty database. That is a new production's first release, which the smoke journeys
/// (<c>--filter Category=Smoke</c>) must pass, and must leave as empty as they found it.
/// </para>
/// </summary>
internal sealed class LocalStack : IAsyncDisposable
{
    public const string StripeWebhookSecret = "whsec_test_azora_e2e";

    public const string EnvironmentVariable = "AZORA_E2E_ENVIRONMENT";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    private readonly DistributedApplication _app;
    private readonly string _dataDirectory;

    private LocalStack(DistributedApplication app, string dataDirectory, bool production)
    {
        _app = app;
        _dataDirectory = dataDirectory;
        IsProduction = production;
    }

    /// <summary>The stack runs its services in the Production environment (<see cref="EnvironmentVariable"/>).</summary>
    public bool IsProduction { get; }

    public Uri Api => _app.GetEndpoint("api", "http");

    /// <summary>The web portal (Azora.Web), once it is healthy: waited for only by the first journey that needs it.</summary>
    public async Task<Uri> WebAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        await _app.ResourceNotifications.WaitForResourceHealthyAsync("web", timeout.Token);
        return _app.GetEndpoint("web", "http");
    }

    public Uri StripeEmulator => _app.GetEndpoint("stripe", "http");

    /// <summary>The stack's mail catcher (smtp4dev), where every message the worker sends arrives.</summary>
    internal MailCatcher CreateMailCatcher() => new(_app.GetEndpoint("mail", "http"));

    public static async Task<LocalStack> StartAsync()
    {
        var environment = Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } name ? name : "Development";
        if (environment is not ("Development" or "Production"))
        {
            throw new InvalidOperationException($"{EnvironmentVariable} is '{environment}'; the local stack runs as Development (unset) or Production.");
        }

        var production = environment == "Production";
        var dataDirectory = TestDirectories.CreateReachableByPostgres("e2e");
        using var timeout = new CancellationTokenSource(StartTimeout);
        // Test values, made up here: with Stripe parameters set the AppHost wires no emulator.
        string[] arguments = production
            ? ["--Parameters:stripe-secret-key=sk_test_azora_e2e_production", "--Parameters:stripe-webhook-secret=whsec_test_azora_e2e_production"]
            : [];
        var builder = await LocalAppHost.CreateBuilderAsync(dataDirectory, StripeWebhookSecret, timeout.Token, arguments);
        if (production)
        {
            RunAsProduction(builder);
        }

        var app = await builder.BuildAsync(timeout.Token);
        var stack = new LocalStack(app, dataDirectory, production);
        try
        {
            await app.StartAsync(timeout.Token);
            string[] resources = production ? ["api", "payments", "mail"] : ["api", "payments", "stripe", "mail"];
            foreach (var resource in resources)
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

    /// <summary>The row count of every table, to show a journey left the database as it found it.</summary>
    public async Task<IReadOnlyList<string>> RowCountsAsync()
    {
        await using var connection = new NpgsqlConnection(await ConnectionStringAsync());
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand(
            "SELECT quote_ident(table_name) FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY 1", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables.Add(reader.GetString(0));
            }
        }

        var counts = new List<string>();
        foreach (var table in tables)
        {
            await using var count = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
            counts.Add($"{table}: {await count.ExecuteScalarAsync()}");
        }

        return counts;
    }

    public async Task GrantRoleAsync(Guid userId, string role)
    {
        await using var connection = new NpgsqlConnection(await ConnectionStringAsync());
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("UPDATE users SET roles = ARRAY[@role] WHERE id = @id", connection);
        command.Parameters.AddWithValue("role", role);
        command.Parameters.AddWithValue("id", userId);
        if (await command.ExecuteNonQueryAsync() != 1)
        {
            throw new InvalidOperationException($"No user {userId} to make {role}.");
        }
    }

    /// <summary>The token of the link in the newest verification mail to <paramref name="email"/>, as the local mail catcher received it.</summary>
    public async Task<string> VerificationTokenAsync(string email)
    {
        using var catcher = new MailCatcher(_app.GetEndpoint("mail", "http"));
        var mail = await catcher.WaitForMessageAsync(email, mail => mail.Subject.StartsWith("Confirm your", StringComparison.Ordinal));
        return mail.LinkParameter("token");
    }

    private async Task<string> ConnectionStringAsync() =>
        await _app.GetConnectionStringAsync("azora") ?? throw new InvalidOperationException("No connection string 'azora'.");

    /// <summary>The migration step and both services in the Production environment, with a signing key of this run's.</summary>
    private static void RunAsProduction(IDistributedApplicationTestingBuilder builder)
    {
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            builder.CreateResourceBuilder(project)
                .WithEnvironment("ASPNETCORE_ENVIRONMENT", "Production")
                .WithEnvironment("DOTNET_ENVIRONMENT", "Production");
        }

        using var key = RSA.Create(2048);
        builder.CreateResourceBuilder(builder.Resources.OfType<ProjectResource>().Single(resource => resource.Name == "api"))
            .WithEnvironment("Azora__Auth__SigningKeys__0__Pem", key.ExportPkcs8PrivateKeyPem());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Directory.Delete(_dataDirectory, recursive: true);
    }
}
