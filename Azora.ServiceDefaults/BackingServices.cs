using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// PostgreSQL ("azora") and the Redis-protocol cache ("cache") as both services reach them, with deliberate time
/// budgets (docs/deployment/INFRASTRUCTURE-GUIDE.md#time-budgets-for-dependencies): a dependency that stops answering
/// costs a request at most the connect or command budget, never the drivers' longer defaults, and a health check at most
/// <see cref="DependencyBudgets.HealthCheckTimeout"/>, inside the probes' 3 s.
/// </summary>
public static class BackingServices
{
    /// <summary>The primary database: every write, and every read that must see the caller's own writes.</summary>
    public const string DatabaseName = "azora";

    /// <summary>
    /// An optional read-only connection (a streaming replica) for reads that may lag behind the primary; only the API
    /// uses it, through <see cref="AddReadDatabase{TBuilder}"/>.
    /// </summary>
    public const string ReadDatabaseName = "azora-read";

    /// <summary>
    /// The optional connection string straight to PostgreSQL, for what needs a session of its own (LISTEN, session
    /// advisory locks) when <c>ConnectionStrings:azora</c> goes through PgBouncer in transaction mode, which hands a
    /// server connection to a client for one transaction only. Without it, <see cref="DirectDatabase"/> is the pooled one.
    /// </summary>
    public const string DirectConnectionName = "azora-direct";

    public static TBuilder AddDatabaseAndCache<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var budgets = Budgets(builder);
        ApplyPoolSettings(builder, DatabaseName);
        builder.AddNpgsqlDataSource(DatabaseName, configureDataSourceBuilder: budgets.ApplyConnectTimeout);
        if (builder.Configuration.GetConnectionString(DirectConnectionName) is { Length: > 0 })
        {
            // Its own small pool, traced and measured like the pooled one; no health check of its own: a failing LISTEN
            // connection degrades to polling, which is no reason to take a pod out of its Service.
            builder.AddKeyedNpgsqlDataSource(
                DirectConnectionName,
                configureSettings: settings => settings.DisableHealthChecks = true,
                configureDataSourceBuilder: budgets.ApplyConnectTimeout);
            builder.Services.AddSingleton(services => new DirectDatabase(services.GetRequiredKeyedService<Npgsql.NpgsqlDataSource>(DirectConnectionName)));
        }
        else
        {
            builder.Services.AddSingleton(services => new DirectDatabase(services.GetRequiredService<Npgsql.NpgsqlDataSource>()));
        }

        builder.AddRedisClient("cache", configureOptions: cache =>
        {
            cache.ConnectTimeout = (int)budgets.CacheConnectTimeout.TotalMilliseconds;
            cache.SyncTimeout = cache.AsyncTimeout = (int)budgets.CacheCommandTimeout.TotalMilliseconds;
        });

        builder.Services.PostConfigure<HealthCheckServiceOptions>(options =>
        {
            foreach (var registration in options.Registrations)
            {
                registration.Timeout = registration.Timeout == Timeout.InfiniteTimeSpan ? budgets.HealthCheckTimeout : registration.Timeout;
                var check = registration.Factory;
                registration.Factory = services => new BoundedHealthCheck(check(services));
            }
        });
        return builder;
    }

    /// <summary>
    /// The read connection (<c>ConnectionStrings:azora-read</c>) as a keyed data source, when it is configured: the same
    /// pool settings and connect budget as the primary, and a health check of its own that reports
    /// <see cref="HealthStatus.Degraded"/> rather than unhealthy, since reads fall back to the primary while it is down
    /// and a lost replica must not take every API pod out of service. Returns whether it is configured.
    /// </summary>
    public static bool AddReadDatabase<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(ReadDatabaseName)))
        {
            return false;
        }

        var budgets = Budgets(builder);
        ApplyPoolSettings(builder, ReadDatabaseName);
        builder.AddKeyedNpgsqlDataSource(ReadDatabaseName, configureDataSourceBuilder: budgets.ApplyConnectTimeout);
        builder.Services.PostConfigure<HealthCheckServiceOptions>(options =>
        {
            foreach (var registration in options.Registrations.Where(registration => registration.Name == ReadHealthCheckName))
            {
                registration.FailureStatus = HealthStatus.Degraded;
            }
        });
        return true;
    }

    /// <summary>The name Aspire gives the read connection's check in <c>/health</c>.</summary>
    public const string ReadHealthCheckName = $"PostgreSql_{ReadDatabaseName}";

    private static DependencyBudgets Budgets(IHostApplicationBuilder builder) =>
        builder.Configuration.GetSection(DependencyBudgets.Section).Get<DependencyBudgets>() ?? new DependencyBudgets();

    /// <summary>
    /// Both services run the same few statements over and over: prepared once per pooled connection, PostgreSQL stops
    /// parsing and planning them every time. And they keep no session state on a pooled connection (SET LOCAL,
    /// transaction-scoped advisory locks; LISTEN only on connections of their own), so a connection taken from the pool
    /// is not reset first: that reset is six statements PostgreSQL runs before the one a request needs. A connection
    /// string that names either setting (behind a pooler, say) is left as it is.
    /// </summary>
    private static void ApplyPoolSettings(IHostApplicationBuilder builder, string name)
    {
        if (builder.Configuration.GetConnectionString(name) is not { Length: > 0 } database)
        {
            return;
        }

        var settings = new Npgsql.NpgsqlConnectionStringBuilder(database);
        if (!database.Contains("Auto Prepare", StringComparison.OrdinalIgnoreCase))
        {
            settings.MaxAutoPrepare = 64;
        }

        if (!database.Contains("Reset On Close", StringComparison.OrdinalIgnoreCase))
        {
            settings.NoResetOnClose = true;
        }

        builder.Configuration[$"ConnectionStrings:{name}"] = settings.ConnectionString;
    }

    /// <summary>
    /// Ends a check when its timeout fires even if the check does not listen: Npgsql keeps waiting for a server that
    /// accepted the connection but never answers, so the health-check service alone would wait for the connect budget.
    /// </summary>
    private sealed class BoundedHealthCheck(IHealthCheck check) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            check.CheckHealthAsync(context, cancellationToken).WaitAsync(cancellationToken);
    }
}

/// <summary>
/// PostgreSQL for a connection that keeps session state (LISTEN): <c>ConnectionStrings:azora-direct</c> when it is
/// given, else the same data source as everything else.
/// </summary>
public sealed class DirectDatabase(Npgsql.NpgsqlDataSource dataSource)
{
    public Npgsql.NpgsqlDataSource DataSource { get; } = dataSource;
}

/// <summary>How long a service waits for its dependencies (<c>Azora:Dependencies</c>).</summary>
public sealed class DependencyBudgets
{
    public const string Section = "Azora:Dependencies";

    /// <summary>Opening a PostgreSQL connection (Npgsql's default is 15 s).</summary>
    public TimeSpan DatabaseConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Connecting to the cache (StackExchange.Redis's default is 5 s).</summary>
    public TimeSpan CacheConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>One cache command (StackExchange.Redis's default is 5 s); the cache is an optimisation, so it is short.</summary>
    public TimeSpan CacheCommandTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Each check of <c>/health</c>; below the readiness probe's 3 s timeout.</summary>
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Gives a PostgreSQL data source <see cref="DatabaseConnectTimeout"/> (Npgsql counts it in whole seconds).</summary>
    public void ApplyConnectTimeout(Npgsql.NpgsqlDataSourceBuilder dataSource) =>
        dataSource.ConnectionStringBuilder.Timeout = (int)Math.Ceiling(DatabaseConnectTimeout.TotalSeconds);
}
