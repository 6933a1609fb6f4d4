using System.Net;
using Azora.Api.RateLimiting;
using Azora.Tests.Stack;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Azora.Tests.Api;

/// <summary>
/// Replicas take permits from the shared counters in blocks (leases) against the stack's real cache: together they
/// never admit more than the limit, and they refuse early by at most (replicas − 1) × lease requests per window,
/// the bound the API reference documents.
/// </summary>
[Collection(StackCollection.Name)]
public class RateLimitLeaseTests(AzoraStackFixture stack) : IAsyncLifetime
{
    private const string Client = "203.0.113.50";

    private ConnectionMultiplexer? _redis;

    public async Task InitializeAsync() => _redis = await ConnectionMultiplexer.ConnectAsync(await stack.ConnectionStringAsync("cache"));

    public async Task DisposeAsync()
    {
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
    }

    [Fact]
    public async Task Two_api_instances_hammering_one_client_admit_the_limit_and_refuse_early_within_the_bound()
    {
        // 200 an hour in blocks of 10 (5 % of the limit): the bound is (2 − 1) × 10 requests.
        const int Limit = 200, Lease = 10, Bound = (2 - 1) * Lease;
        var prefix = $"test:{Guid.NewGuid():N}";
        var settings = new Dictionary<string, string>
        {
            ["Azora:RateLimits:KeyPrefix"] = prefix,
            ["Azora:RateLimits:Anonymous:PermitLimit"] = Limit.ToString(),
            ["Azora:RateLimits:LeaseFraction"] = "0.05",
        };
        await using var first = await ApiInstance.StartAsync(stack, settings);
        await using var second = await ApiInstance.StartAsync(stack, settings);
        await first.WaitUntilCacheConnectedAsync();
        await second.WaitUntilCacheConnectedAsync();

        // Sixteen clients at once through each instance, twice the limit and more in all.
        const int Clients = 32, RequestsPerClient = 13;
        var statuses = await Task.WhenAll(Enumerable.Range(0, Clients).Select(async client =>
        {
            var api = client % 2 == 0 ? first : second;
            var seen = new List<HttpStatusCode>();
            for (var request = 0; request < RequestsPerClient; request++)
            {
                using var response = await api.Client.GetAsync("/.well-known/jwks.json");
                seen.Add(response.StatusCode);
            }

            return seen;
        }));
        var all = statuses.SelectMany(seen => seen).ToList();
        var admitted = all.Count(status => status == HttpStatusCode.OK);

        Assert.Equal(Clients * RequestsPerClient, all.Count(status => status is HttpStatusCode.OK or HttpStatusCode.TooManyRequests));
        Assert.InRange(admitted, Limit - Bound, Limit);
        // The shared counter reached the limit (someone was refused) and never passed it.
        Assert.Equal(Limit, await CounterAsync($"{prefix}:anonymous:127.0.0.1"));
    }

    [Fact]
    public async Task Permits_another_replica_holds_make_this_one_refuse_early_by_at_most_the_bound_and_are_spent_there()
    {
        const int Limit = 100, Lease = 10;
        var prefix = $"test:{Guid.NewGuid():N}";
        using var first = Limits(prefix, anonymous: Limit, leaseFraction: 0.1);
        using var second = Limits(prefix, anonymous: Limit, leaseFraction: 0.1);

        // The second replica reserves a block of ten and uses one: 99 left in the window, 9 of them in its hands.
        var held = await second.AcquireAsync(RateLimitPolicies.Anonymous, Client);
        Assert.True(held!.Allowed);
        Assert.Equal(Limit - 1, held.Remaining);

        var admittedByFirst = 0;
        RateLimitState? state;
        while ((state = await first.AcquireAsync(RateLimitPolicies.Anonymous, Client))!.Allowed)
        {
            admittedByFirst++;
        }

        // Refused with 91 admitted in all: the 9 the second replica holds short of the limit, within (2 − 1) × 10.
        Assert.Equal(Limit - Lease, admittedByFirst);
        Assert.Equal(0, state.Remaining);
        Assert.InRange(state.RetryAfterSeconds, 1, 3600);

        // The block in the second replica's hands is still served there, and then the window is spent everywhere.
        for (var request = 0; request < Lease - 1; request++)
        {
            Assert.True((await second.AcquireAsync(RateLimitPolicies.Anonymous, Client))!.Allowed);
        }

        Assert.False((await second.AcquireAsync(RateLimitPolicies.Anonymous, Client))!.Allowed);
        Assert.False((await first.AcquireAsync(RateLimitPolicies.Anonymous, Client))!.Allowed);
        Assert.Equal(Limit, await CounterAsync($"{prefix}:anonymous:{Client}"));
    }

    [Fact]
    public async Task Concurrent_requests_of_one_replica_wait_for_one_reservation_instead_of_each_reserving_a_block()
    {
        var prefix = $"test:{Guid.NewGuid():N}";
        using var limits = Limits(prefix, anonymous: 1000, leaseFraction: 0.01);

        var states = await Task.WhenAll(Enumerable.Range(0, 25).Select(_ => limits.AcquireAsync(RateLimitPolicies.Anonymous, Client).AsTask()));

        Assert.All(states, state => Assert.True(state!.Allowed));
        // Blocks of ten for 25 requests: 25 permits and at most one block more in hand (top-ups come in the
        // background), not a block per request (250).
        Assert.InRange(await CounterAsync($"{prefix}:anonymous:{Client}"), 25, 25 + 10);
    }

    [Fact]
    public async Task Strict_limits_take_one_permit_at_a_time_whatever_the_lease_settings()
    {
        var prefix = $"test:{Guid.NewGuid():N}";
        using var first = Limits(prefix, credentials: 5, leaseFraction: 0.1);
        using var second = Limits(prefix, credentials: 5, leaseFraction: 0.1);

        Assert.True((await first.AcquireAsync(RateLimitPolicies.Credentials, Client))!.Allowed);
        Assert.Equal(1, await CounterAsync($"{prefix}:credentials:{Client}"));
        for (var request = 0; request < 4; request++)
        {
            var state = await second.AcquireAsync(RateLimitPolicies.Credentials, Client);
            Assert.True(state!.Allowed);
            Assert.Equal(3 - request, state.Remaining);
        }

        Assert.False((await first.AcquireAsync(RateLimitPolicies.Credentials, Client))!.Allowed);
        Assert.False((await second.AcquireAsync(RateLimitPolicies.Credentials, Client))!.Allowed);
    }

    [Fact]
    public async Task A_spent_window_opens_again_when_it_ends()
    {
        using var limits = Limits(new RateLimitOptions
        {
            KeyPrefix = $"test:{Guid.NewGuid():N}",
            Anonymous = new WindowLimit { PermitLimit = 2, Window = TimeSpan.FromSeconds(1) },
        });

        while ((await limits.AcquireAsync(RateLimitPolicies.Anonymous, Client))!.Allowed)
        {
        }

        var reopened = await Eventually.ReadAsync(
            async () => await limits.AcquireAsync(RateLimitPolicies.Anonymous, Client), state => state!.Allowed, attempts: 50, TimeSpan.FromMilliseconds(100));
        Assert.True(reopened!.Allowed);
    }

    [Fact]
    public async Task Partitions_that_hold_nothing_or_whose_window_ended_are_forgotten()
    {
        // Blocks of two: in a window of an hour (signed in) and of a second (anonymous); the strict credentials limit
        // takes one permit at a time, so its partitions hold nothing between requests.
        using var limits = Limits(new RateLimitOptions
        {
            KeyPrefix = $"test:{Guid.NewGuid():N}",
            LeaseFraction = 0.1,
            Authenticated = new WindowLimit { PermitLimit = 20, Window = TimeSpan.FromHours(1) },
            Anonymous = new WindowLimit { PermitLimit = 20, Window = TimeSpan.FromSeconds(1) },
            Credentials = new WindowLimit { PermitLimit = 20, Window = TimeSpan.FromMinutes(15) },
        });
        var partitions = Enumerable.Range(1, 50).Select(n => $"198.51.100.{n}").ToList();
        foreach (var partition in partitions)
        {
            foreach (var policy in new[] { RateLimitPolicies.Authenticated, RateLimitPolicies.Anonymous, RateLimitPolicies.Credentials })
            {
                Assert.True((await limits.AcquireAsync(policy, partition))!.Allowed);
            }
        }

        limits.Sweep();

        // A block in hand is kept for its window; nothing in hand, nothing kept.
        Assert.Equal(partitions.Count, limits.PartitionsHeld(RateLimitPolicies.Authenticated));
        Assert.Equal(0, limits.PartitionsHeld(RateLimitPolicies.Credentials));
        var anonymous = await Eventually.ReadAsync(
            () =>
            {
                limits.Sweep();
                return Task.FromResult(limits.PartitionsHeld(RateLimitPolicies.Anonymous));
            },
            held => held == 0, attempts: 50, TimeSpan.FromMilliseconds(100));
        Assert.Equal(0, anonymous);
    }

    private DistributedRateLimits Limits(string prefix, int anonymous = 1000, int credentials = 1000, double leaseFraction = 0.01) => Limits(new RateLimitOptions
    {
        KeyPrefix = prefix,
        LeaseFraction = leaseFraction,
        Anonymous = new WindowLimit { PermitLimit = anonymous, Window = TimeSpan.FromHours(1) },
        Credentials = new WindowLimit { PermitLimit = credentials, Window = TimeSpan.FromMinutes(15) },
    });

    private DistributedRateLimits Limits(RateLimitOptions options) => new(
        Redis(), Options.Create(options), new RateLimitCacheFailureTests.NoMeters(), NullLogger<DistributedRateLimits>.Instance, TimeProvider.System);

    private ConnectionMultiplexer Redis() => _redis!;

    private async Task<long> CounterAsync(string key) => (long)await Redis().GetDatabase().StringGetAsync(key);
}
