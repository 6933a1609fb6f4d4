using System.Collections.Concurrent;
using Npgsql;

namespace Azora.Api.Auth.ApiKeys;

/// <summary>
/// Recently used keys in this replica's memory, so a key costs a SHA-256 and a dictionary lookup instead of a database
/// query per request. Trusted only while <see cref="ApiKeyChangeListener"/> is listening to PostgreSQL: migration 0010's
/// triggers NOTIFY on every revocation and on every change of a user's roles or disabled state, whoever makes it (the
/// API on any replica, the admin API, SQL by hand), and every notification empties the cache. While the listener is not
/// connected nothing is cached and every request reads the database. Entries also expire after
/// <see cref="EntryLifetime"/> as a backstop.
/// </summary>
public sealed class ApiKeyCache
{
    public static readonly TimeSpan EntryLifetime = TimeSpan.FromSeconds(60);
    private const int MaximumEntries = 10_000;

    private readonly ConcurrentDictionary<string, (ApiKeyOwner Key, DateTimeOffset CachedAt)> _entries = new();
    private long _generation;
    private volatile bool _listening;

    /// <summary>Read before a database lookup; <see cref="Add"/> keeps the result only if nothing changed meanwhile.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    public ApiKeyOwner? Find(string hash, DateTimeOffset now) =>
        _listening && _entries.TryGetValue(hash, out var entry) && now - entry.CachedAt < EntryLifetime ? entry.Key : null;

    public void Add(string hash, ApiKeyOwner key, long generation, DateTimeOffset now)
    {
        if (!_listening || Generation != generation)
        {
            return;
        }

        if (_entries.Count >= MaximumEntries)
        {
            _entries.Clear();
        }

        _entries[hash] = (key, now);
        // A change that arrived while the entry was being written must not leave it behind.
        if (Generation != generation)
        {
            _entries.TryRemove(hash, out _);
        }
    }

    /// <summary>Records a use in the cached entry, so the next minute's requests do not write it again.</summary>
    public void Touched(string hash, DateTimeOffset now)
    {
        if (_entries.TryGetValue(hash, out var entry))
        {
            _entries.TryUpdate(hash, (entry.Key with { LastUsedAt = now }, entry.CachedAt), entry);
        }
    }

    public void Clear()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }

    internal void Listening(bool listening)
    {
        _listening = listening;
        Clear();
    }
}

/// <summary>LISTENs on <c>azora_api_keys</c> and empties <see cref="ApiKeyCache"/> on every notification; reconnects after a failure.</summary>
public sealed class ApiKeyChangeListener(DirectDatabase direct, ApiKeyCache cache, ILogger<ApiKeyChangeListener> logger) : BackgroundService
{
    public const string Channel = "azora_api_keys";
    private static readonly TimeSpan Heartbeat = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan RetryPause = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // A session of its own: through PgBouncer in transaction mode the LISTEN would be lost with the transaction.
                await using var connection = await direct.DataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, _) => cache.Clear();
                await using (var listen = new NpgsqlCommand($"LISTEN {Channel}", connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                cache.Listening(true);
                while (!stoppingToken.IsCancellationRequested)
                {
                    // A quiet connection is probed, so a dead one is noticed within a heartbeat and the cache stops being trusted.
                    if (!await connection.WaitAsync(Heartbeat, stoppingToken))
                    {
                        await using var probe = new NpgsqlCommand("SELECT 1", connection) { CommandTimeout = (int)Heartbeat.TotalSeconds };
                        await probe.ExecuteScalarAsync(stoppingToken);
                    }
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "API-key change notifications unavailable; keys are read from PostgreSQL on every request until they return");
            }
            finally
            {
                cache.Listening(false);
            }

            try
            {
                await Task.Delay(RetryPause, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
