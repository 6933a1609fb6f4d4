using Aspire.Hosting;
using Aspire.Hosting.Postgres;
using Aspire.Hosting.Redis;

namespace Azora.Tests.AppHost;

/// <summary>The AppHost's model, built but never started: which resources exist and how they depend on each other.</summary>
public sealed class AppHostModelTests : IDisposable
{
    private readonly string _dataDirectory = TestDirectories.CreateReachableByPostgres("model");

    private async Task<IDistributedApplicationTestingBuilder> ModelAsync(params string[] args) =>
        await DistributedApplicationTestingBuilder.CreateAsync<Projects.Azora_AppHost>(
            [$"--Azora:DataDirectory={_dataDirectory}", .. args], (options, _) => options.DisableDashboard = true);

    /// <summary>What starts with the app: Aspire adds helper resources (project rebuilders) that start only on demand.</summary>
    private static IEnumerable<IResource> Started(IDistributedApplicationTestingBuilder builder) =>
        builder.Resources.Where(resource => !resource.Annotations.OfType<ExplicitStartupAnnotation>().Any());

    private static IResource Resource(IDistributedApplicationTestingBuilder builder, string name) =>
        Assert.Single(builder.Resources, resource => resource.Name == name);

    private static IEnumerable<(string Name, WaitType Type)> WaitsOf(IResource resource) =>
        resource.Annotations.OfType<WaitAnnotation>().Select(wait => (wait.Resource.Name, wait.WaitType));

    private static IEnumerable<string> ReferencesOf(IResource resource) =>
        resource.Annotations.OfType<ResourceRelationshipAnnotation>().Where(relation => relation.Type == "Reference").Select(relation => relation.Resource.Name);

    [Fact]
    public async Task Local_mode_runs_postgres_and_a_cache_server_as_processes_and_the_services_wait_for_migrations()
    {
        await using var builder = await ModelAsync("--Azora:Infrastructure=local", "--Azora:Cache:Server=garnet");

        Assert.Equal(
            ["api", "azora", "cache", "garnet", "mail", "migrations", "payments", "postgres", "stripe", "web"],
            Started(builder).Select(resource => resource.Name).Order());
        Assert.IsType<ExecutableResource>(Resource(builder, "postgres"));
        Assert.IsType<ExecutableResource>(Resource(builder, "garnet"));
        Assert.IsType<ConnectionStringResource>(Resource(builder, "azora"));
        Assert.IsType<ConnectionStringResource>(Resource(builder, "cache"));
        Assert.Single(Resource(builder, "postgres").Annotations.OfType<HealthCheckAnnotation>());
        Assert.Single(Resource(builder, "garnet").Annotations.OfType<HealthCheckAnnotation>());

        var migrations = Resource(builder, "migrations");
        Assert.Contains(("postgres", WaitType.WaitUntilHealthy), WaitsOf(migrations));
        Assert.Contains("azora", ReferencesOf(migrations));
        Assert.DoesNotContain("cache", ReferencesOf(migrations));

        foreach (var service in new[] { "api", "payments" })
        {
            var resource = Resource(builder, service);
            Assert.Contains(("migrations", WaitType.WaitForCompletion), WaitsOf(resource));
            Assert.Contains(("garnet", WaitType.WaitUntilHealthy), WaitsOf(resource));
            Assert.Contains("azora", ReferencesOf(resource));
            Assert.Contains("cache", ReferencesOf(resource));
            Assert.Contains(resource.Annotations.OfType<HealthCheckAnnotation>(), check => check.Key.Contains("http", StringComparison.OrdinalIgnoreCase));
        }

        // The portal reads and writes product data through the API only, never the database; the cache holds its
        // sessions and key ring. It knows the Stripe emulator's address only to send browsers there; it does not wait for it.
        var web = Resource(builder, "web");
        Assert.Contains(("api", WaitType.WaitUntilHealthy), WaitsOf(web));
        Assert.Equal(["api", "cache", "stripe"], ReferencesOf(web).Distinct().Order());
        Assert.DoesNotContain(WaitsOf(web), wait => wait.Name == "stripe");
    }

    [Fact]
    public async Task Container_mode_uses_the_postgres_and_redis_integrations()
    {
        await using var builder = await ModelAsync("--Azora:Infrastructure=containers");

        Assert.IsType<PostgresServerResource>(Resource(builder, "postgres"));
        Assert.IsType<PostgresDatabaseResource>(Resource(builder, "azora"));
        Assert.IsType<RedisResource>(Resource(builder, "cache"));
        Assert.Contains(("postgres", WaitType.WaitUntilHealthy), WaitsOf(Resource(builder, "migrations")));
        Assert.Contains(("cache", WaitType.WaitUntilHealthy), WaitsOf(Resource(builder, "api")));
    }

    [Fact]
    public async Task External_mode_checks_the_given_servers_and_runs_none()
    {
        await using var builder = await ModelAsync(
            "--Azora:Infrastructure=external", "--ConnectionStrings:azora=Host=db.internal;Database=azora", "--ConnectionStrings:cache=cache.internal:6379");

        // The mail catcher still runs: it is a development tool, not infrastructure.
        Assert.DoesNotContain(Started(builder), resource => resource is ExecutableResource or ContainerResource && resource.Name != "mail");
        Assert.Single(Resource(builder, "azora").Annotations.OfType<HealthCheckAnnotation>());
        Assert.Single(Resource(builder, "cache").Annotations.OfType<HealthCheckAnnotation>());
        Assert.Contains(("azora", WaitType.WaitUntilHealthy), WaitsOf(Resource(builder, "migrations")));
    }

    [Fact]
    public async Task Without_a_stripe_key_the_emulator_runs_and_the_services_are_pointed_at_it()
    {
        await using var builder = await ModelAsync("--Azora:Infrastructure=local");

        Assert.IsType<ProjectResource>(Resource(builder, "stripe"));
        Assert.DoesNotContain(builder.Resources, resource => resource.Name == "stripe-secret-key");

        // The portal sends buyers to the emulator's test checkout page, which sends them back only to the portal.
        var web = await EnvironmentOfAsync(Resource(builder, "web"));
        Assert.Equal("{stripe.bindings.http.url}", web["Azora__Web__Stripe__EmulatorUrl"]);
        Assert.DoesNotContain("Azora__Web__Stripe__PublishableKey", web.Keys);
        Assert.Equal("{web.bindings.http.url}", (await EnvironmentOfAsync(Resource(builder, "stripe")))["Emulator__ReturnOrigins__0"]);
    }

    [Fact]
    public async Task With_a_stripe_key_the_services_use_stripe_and_no_emulator_runs()
    {
        await using var builder = await ModelAsync(
            "--Azora:Infrastructure=local", "--Parameters:stripe-secret-key=sk_test_not_a_real_key", "--Parameters:stripe-webhook-secret=whsec_not_real");

        Assert.DoesNotContain(builder.Resources, resource => resource.Name == "stripe");
        Assert.IsType<ParameterResource>(Resource(builder, "stripe-secret-key"));
        Assert.True(((ParameterResource)Resource(builder, "stripe-secret-key")).Secret);
        Assert.DoesNotContain("Azora__Web__Stripe__EmulatorUrl", (await EnvironmentOfAsync(Resource(builder, "web"))).Keys);
    }

    [Fact]
    public async Task With_stripe_and_a_publishable_key_the_portal_shows_stripes_payment_element()
    {
        await using var builder = await ModelAsync(
            "--Azora:Infrastructure=local", "--Parameters:stripe-secret-key=sk_test_not_a_real_key", "--Parameters:stripe-webhook-secret=whsec_not_real",
            "--Parameters:stripe-publishable-key=pk_test_not_a_real_key");

        Assert.False(((ParameterResource)Resource(builder, "stripe-publishable-key")).Secret);
        var web = await EnvironmentOfAsync(Resource(builder, "web"));
        Assert.Equal("{stripe-publishable-key.value}", web["Azora__Web__Stripe__PublishableKey"]);
        Assert.DoesNotContain("Azora__Web__Stripe__EmulatorUrl", web.Keys);
    }

    [Fact]
    public async Task Locally_smtp4dev_runs_as_a_process_with_web_and_smtp_endpoints_and_the_worker_sends_to_it()
    {
        await using var builder = await ModelAsync("--Azora:Infrastructure=local");

        var mail = Assert.IsType<ExecutableResource>(Resource(builder, "mail"));
        Assert.Equal(["http", "smtp"], mail.Annotations.OfType<EndpointAnnotation>().Select(endpoint => endpoint.Name).Order());
        Assert.Equal(5083, mail.Annotations.OfType<EndpointAnnotation>().Single(endpoint => endpoint.Name == "http").Port);
        Assert.Single(mail.Annotations.OfType<HealthCheckAnnotation>());
        Assert.Contains(("mail", WaitType.WaitUntilHealthy), WaitsOf(Resource(builder, "payments")));

        var environment = await EnvironmentOfAsync(Resource(builder, "payments"));
        Assert.Equal("None", environment["Azora__Mail__Smtp__Security"]);
        Assert.Equal("http://localhost:5090", environment["Azora__Mail__PublicBaseUrl"]);
        Assert.Equal("{mail.bindings.smtp.host}", environment["Azora__Mail__Smtp__Host"]);
        Assert.Equal("{mail.bindings.smtp.port}", environment["Azora__Mail__Smtp__Port"]);
        Assert.Equal("http://localhost:5090", (await EnvironmentOfAsync(Resource(builder, "api")))["Azora__Mail__PublicBaseUrl"]);
    }

    [Fact]
    public async Task With_containers_smtp4dev_runs_from_its_image()
    {
        await using var builder = await ModelAsync("--Azora:Infrastructure=containers");

        var mail = Assert.IsType<ContainerResource>(Resource(builder, "mail"));
        Assert.Equal("rnwood/smtp4dev", mail.Annotations.OfType<ContainerImageAnnotation>().Single().Image);
    }

    /// <summary>A resource's environment as the manifest would write it (endpoint values as expressions, nothing resolved).</summary>
    private static async Task<Dictionary<string, string>> EnvironmentOfAsync(IResource resource)
    {
        // Obsolete in favour of ExecutionConfigurationBuilder, which needs a running app's services; this needs none.
#pragma warning disable CS0618
        return await ((IResourceWithEnvironment)resource).GetEnvironmentVariableValuesAsync(DistributedApplicationOperation.Publish);
#pragma warning restore CS0618
    }

    public void Dispose() => Directory.Delete(_dataDirectory, recursive: true);
}
