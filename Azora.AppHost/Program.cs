using Azora.AppHost.Infrastructure;

var builder = DistributedApplication.CreateBuilder(args);
var repositoryRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));

InfrastructurePlan plan;
try
{
    plan = InfrastructurePlan.Resolve(builder.Configuration, repositoryRoot, builder.ExecutionContext.IsPublishMode, new MachineProbe());
}
catch (InfrastructureUnavailableException ex)
{
    Console.Error.WriteLine($"Azora cannot start: {ex.Message}");
    return 1;
}

if (args.Contains("--reset-data"))
{
    return LocalData.Reset(plan.DataDirectory);
}

var infrastructure = builder.AddAzoraInfrastructure(plan);

var migrations = builder.AddProject<Projects.Azora_Migrations>("migrations")
    .WithReference(infrastructure.Database)
    .WaitFor(infrastructure.DatabaseServer);

var api = builder.AddProject<Projects.Azora_Api>("api")
    .WithReference(infrastructure.Database)
    .WithReference(infrastructure.Cache)
    .WaitFor(infrastructure.CacheServer)
    .WaitForCompletion(migrations)
    .WithHttpHealthCheck("/health");

if (builder.ExecutionContext.IsRunMode)
{
    // One Development signing key for every API replica of this stack, kept with the rest of its local state.
    api.WithEnvironment("Azora__Auth__DevelopmentKeyFile", Path.Combine(plan.DataDirectory, "jwt-signing-key.pem"));
}
else
{
    // Deployed: the signing key, and during a rotation the key before it (docs/operations/OPERATIONS-RUNBOOK.md).
    api.WithEnvironment("Azora__Auth__SigningKeys__0__Pem", builder.AddParameter("jwt-signing-key", secret: true))
        .WithEnvironment("Azora__Auth__SigningKeys__1__Pem", builder.AddParameter("jwt-previous-signing-key", secret: true));
}

var payments = builder.AddProject<Projects.Azora_Payments>("payments")
    .WithReference(infrastructure.Database)
    .WithReference(infrastructure.Cache)
    .WaitFor(infrastructure.CacheServer)
    .WaitForCompletion(migrations)
    .WithHttpHealthCheck("/health");

var stripeEmulator = builder.AddAzoraStripe(api, payments);
builder.AddAzoraMail(plan, repositoryRoot, api, payments);
builder.AddAzoraWeb(api, infrastructure, stripeEmulator);

if (builder.ExecutionContext.IsPublishMode)
{
    builder.AddAzoraMailPublishing(api, payments);
}

builder.Build().Run();
return 0;
