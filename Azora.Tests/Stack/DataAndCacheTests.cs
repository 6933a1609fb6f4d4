using System.Text.Json;
using Azora.Contract.Events;
using Npgsql;
using StackExchange.Redis;

namespace Azora.Tests.Stack;

[Collection(StackCollection.Name)]
public class DataAndCacheTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task An_outbox_event_written_through_the_data_layer_is_read_back_from_postgres()
    {
        await using var dataSource = NpgsqlDataSource.Create(await stack.ConnectionStringAsync("azora"));
        var writer = new OutboxWriter(TimeProvider.System);

        OutboxEvent written;
        await using (var connection = await dataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            written = await writer.AppendAsync(transaction, "course.enrolled", new { CourseId = Guid.NewGuid(), Learner = "ada@example.com" });
            await transaction.CommitAsync();
        }

        await using var read = dataSource.CreateCommand("SELECT type, payload::text, occurred_at, dispatched_at FROM outbox_events WHERE id = @id");
        read.Parameters.AddWithValue("id", written.Id);
        await using var reader = await read.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        Assert.Equal("course.enrolled", reader.GetString(0));
        using var payload = JsonDocument.Parse(reader.GetString(1));
        Assert.Equal("ada@example.com", payload.RootElement.GetProperty("learner").GetString());
        Assert.Equal(written.Payload.GetProperty("courseId").GetGuid(), payload.RootElement.GetProperty("courseId").GetGuid());
        Assert.Equal(written.OccurredAt.ToUnixTimeMilliseconds(), reader.GetFieldValue<DateTimeOffset>(2).ToUnixTimeMilliseconds());
        Assert.True(reader.IsDBNull(3));
    }

    [Fact]
    public async Task An_outbox_event_in_a_rolled_back_transaction_is_not_recorded()
    {
        await using var dataSource = NpgsqlDataSource.Create(await stack.ConnectionStringAsync("azora"));
        var writer = new OutboxWriter(TimeProvider.System);

        OutboxEvent written;
        await using (var connection = await dataSource.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            written = await writer.AppendAsync(transaction, "payment.failed", new { Reason = "declined" });
            await transaction.RollbackAsync();
        }

        await using var count = dataSource.CreateCommand("SELECT count(*) FROM outbox_events WHERE id = @id");
        count.Parameters.AddWithValue("id", written.Id);
        Assert.Equal(0L, await count.ExecuteScalarAsync());
    }

    [Fact]
    public async Task The_cache_answers_a_redis_round_trip_with_expiry()
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(await stack.ConnectionStringAsync("cache"));
        var cache = redis.GetDatabase();
        var key = $"tests:{Guid.NewGuid():N}";

        Assert.True(await cache.StringSetAsync(key, "café ☕", TimeSpan.FromMinutes(1)));

        Assert.Equal("café ☕", (string?)await cache.StringGetAsync(key));
        var ttl = await cache.KeyTimeToLiveAsync(key);
        Assert.NotNull(ttl);
        Assert.InRange(ttl.Value, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1));
        Assert.True(await cache.KeyDeleteAsync(key));
        Assert.False((await cache.StringGetAsync(key)).HasValue);
    }
}
