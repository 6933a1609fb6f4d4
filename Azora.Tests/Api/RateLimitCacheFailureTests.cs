using System.Diagnostics.Metrics;
using System.Reflection;
using Azora.Api.RateLimiting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Azora.Tests.Api;

/// <summary>
/// A Redis that is connected but fails every command the way a stalled socket does: the limits fall back (strict ones
/// counted in memory, the rest let through) instead of failing the request.
/// </summary>
public class RateLimitCacheFailureTests
{
    public static TheoryData<Exception> StalledSocketFailures => new()
    {
        new TaskCanceledException("The command was cancelled when the socket died."),
        new InvalidOperationException("Reading is not allowed after reader was completed."),
        new RedisTimeoutException("Timeout awaiting response", CommandStatus.Sent),
    };

    [Theory]
    [MemberData(nameof(StalledSocketFailures))]
    public async Task A_general_limit_lets_the_request_through(Exception failure)
    {
        using var limits = Limits(failure);

        Assert.Null(await limits.AcquireAsync(RateLimitPolicies.Anonymous, "203.0.113.7"));
    }

    [Theory]
    [MemberData(nameof(StalledSocketFailures))]
    public async Task A_strict_limit_is_counted_in_this_replica(Exception failure)
    {
        using var limits = Limits(failure);

        var first = await limits.AcquireAsync(RateLimitPolicies.Credentials, "203.0.113.7");
        var second = await limits.AcquireAsync(RateLimitPolicies.Credentials, "203.0.113.7");
        var third = await limits.AcquireAsync(RateLimitPolicies.Credentials, "203.0.113.7");

        Assert.True(first!.Allowed);
        Assert.True(second!.Allowed);
        Assert.False(third!.Allowed);
    }

    private static DistributedRateLimits Limits(Exception failure)
    {
        var options = new RateLimitOptions { Credentials = new WindowLimit { PermitLimit = 2, Window = TimeSpan.FromMinutes(15) } };
        return new DistributedRateLimits(
            FailingRedis.Create(failure), Options.Create(options), new NoMeters(), NullLogger<DistributedRateLimits>.Instance, TimeProvider.System);
    }

    /// <summary>Connected, and every database call throws <see cref="Failure"/> (or returns a task that does).</summary>
    public class FailingRedis : DispatchProxy
    {
        public Exception Failure { get; set; } = new InvalidOperationException();

        public static IConnectionMultiplexer Create(Exception failure)
        {
            var redis = DispatchProxy.Create<IConnectionMultiplexer, FailingRedis>();
            ((FailingRedis)(object)redis).Failure = failure;
            return redis;
        }

        protected override object? Invoke(MethodInfo? method, object?[]? args) => method?.Name switch
        {
            "get_IsConnected" => true,
            nameof(IConnectionMultiplexer.GetDatabase) => FailingDatabase.Create(Failure),
            _ => method?.ReturnType.IsValueType == true ? Activator.CreateInstance(method.ReturnType) : null,
        };
    }

    public class FailingDatabase : DispatchProxy
    {
        public Exception Failure { get; set; } = new InvalidOperationException();

        public static IDatabase Create(Exception failure)
        {
            var database = DispatchProxy.Create<IDatabase, FailingDatabase>();
            ((FailingDatabase)(object)database).Failure = failure;
            return database;
        }

        protected override object? Invoke(MethodInfo? method, object?[]? args)
        {
            if (method?.ReturnType is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(Task<>))
            {
                return typeof(Task).GetMethod(nameof(Task.FromException), 1, [typeof(Exception)])!
                    .MakeGenericMethod(type.GetGenericArguments()[0]).Invoke(null, [Failure]);
            }

            throw Failure;
        }
    }

    internal sealed class NoMeters : IMeterFactory
    {
        public Meter Create(MeterOptions options) => new(options);

        public void Dispose()
        {
        }
    }
}
