using Azora.AppHost.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace Azora.Tests.Infrastructure;

public class InfrastructurePlanTests
{
    private const string Repository = "/src/azora";

    private static InfrastructurePlan Resolve(FakeMachine machine, bool publish = false, params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(setting => new KeyValuePair<string, string?>(setting.Key, setting.Value)))
            .Build();
        return InfrastructurePlan.Resolve(configuration, Repository, publish, machine);
    }

    [Fact]
    public void Auto_uses_containers_when_a_container_runtime_answers()
    {
        var plan = Resolve(new FakeMachine { Docker = true });

        Assert.Equal(InfrastructureMode.Containers, plan.Mode);
    }

    [Fact]
    public void Auto_without_a_container_runtime_runs_local_postgres_and_garnet_when_no_redis_is_installed()
    {
        var plan = Resolve(new FakeMachine { Docker = false });

        Assert.Equal(InfrastructureMode.Local, plan.Mode);
        Assert.Equal("/usr/lib/postgresql/15/bin", plan.PostgresBinDirectory);
        Assert.Equal(LocalCacheServer.Garnet, plan.CacheServer);
        Assert.Equal("/packages/garnet-server/GarnetServer.dll", plan.CacheServerExecutable);
        Assert.Equal("/src/azora/.azora", plan.DataDirectory);
    }

    [Fact]
    public void Local_prefers_an_installed_redis_server()
    {
        var plan = Resolve(new FakeMachine { RedisServer = "/usr/bin/redis-server" }, settings: ("Azora:Infrastructure", "local"));

        Assert.Equal(LocalCacheServer.Redis, plan.CacheServer);
        Assert.Equal("/usr/bin/redis-server", plan.CacheServerExecutable);
    }

    [Fact]
    public void The_cache_server_setting_overrides_the_choice()
    {
        var plan = Resolve(new FakeMachine { RedisServer = "/usr/bin/redis-server" },
            settings: [("Azora:Infrastructure", "local"), ("Azora:Cache:Server", "garnet")]);

        Assert.Equal(LocalCacheServer.Garnet, plan.CacheServer);
    }

    [Fact]
    public void The_mode_setting_overrides_the_probe()
    {
        var plan = Resolve(new FakeMachine { Docker = true }, settings: ("Azora:Infrastructure", "Local"));

        Assert.Equal(InfrastructureMode.Local, plan.Mode);
    }

    [Fact]
    public void Publishing_always_describes_containers()
    {
        var plan = Resolve(new FakeMachine { Docker = false, PostgresBin = null }, publish: true);

        Assert.Equal(InfrastructureMode.Containers, plan.Mode);
    }

    [Fact]
    public void No_container_runtime_and_no_postgres_binaries_fails_with_what_to_install_or_set()
    {
        var error = Assert.Throws<InfrastructureUnavailableException>(() => Resolve(new FakeMachine { PostgresBin = null }));

        Assert.Contains("No container runtime answered", error.Message);
        Assert.Contains("apt-get install postgresql", error.Message);
        Assert.Contains("Azora__Infrastructure=external", error.Message);
        Assert.Contains("Azora:Postgres:BinDirectory", error.Message);
    }

    [Fact]
    public void A_configured_postgres_folder_without_binaries_is_named_in_the_error()
    {
        var machine = new FakeMachine();
        var error = Assert.Throws<InfrastructureUnavailableException>(() =>
            Resolve(machine, settings: [("Azora:Infrastructure", "local"), ("Azora:Postgres:BinDirectory", "/opt/nothing")]));

        Assert.Equal("/opt/nothing", machine.RequestedPostgresBin);
        Assert.Contains("'/opt/nothing'", error.Message);
    }

    [Fact]
    public void Redis_requested_but_not_installed_fails_clearly()
    {
        var error = Assert.Throws<InfrastructureUnavailableException>(() =>
            Resolve(new FakeMachine(), settings: [("Azora:Infrastructure", "local"), ("Azora:Cache:Server", "redis")]));

        Assert.Contains("apt-get install redis-server", error.Message);
    }

    [Fact]
    public void External_needs_both_connection_strings()
    {
        var error = Assert.Throws<InfrastructureUnavailableException>(() =>
            Resolve(new FakeMachine(), settings: [("Azora:Infrastructure", "external"), ("ConnectionStrings:azora", "Host=db")]));

        Assert.Contains("ConnectionStrings__cache", error.Message);
        Assert.DoesNotContain("ConnectionStrings__azora", error.Message);
    }

    [Fact]
    public void External_with_both_connection_strings_needs_nothing_local()
    {
        var plan = Resolve(new FakeMachine { PostgresBin = null },
            settings: [("Azora:Infrastructure", "external"), ("ConnectionStrings:azora", "Host=db"), ("ConnectionStrings:cache", "cache:6379")]);

        Assert.Equal(InfrastructureMode.External, plan.Mode);
    }

    [Theory]
    [InlineData("kubernetes")]
    [InlineData("2")]
    public void An_unknown_mode_lists_the_valid_ones(string value)
    {
        var error = Assert.Throws<InfrastructureUnavailableException>(() =>
            Resolve(new FakeMachine(), settings: ("Azora:Infrastructure", value)));

        Assert.Contains("auto, containers, local, external", error.Message);
    }
}
