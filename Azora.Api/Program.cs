var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddNpgsqlDataSource("azora");
builder.AddRedisClient("cache");
builder.Services.AddSingleton(TimeProvider.System);

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapGet("/", () => TypedResults.Ok(new ServiceInfo("azora-api", typeof(Program).Assembly.GetName().Version?.ToString() ?? "0.0.0")))
    .WithName("GetServiceInfo");

app.Run();

internal sealed record ServiceInfo(string Service, string Version);
