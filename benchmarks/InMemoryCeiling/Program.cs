// The ceiling for benchmarks/run.sh: a bare ASP.NET Core app, nothing added to what WebApplication brings, that answers
// GET / with bytes read once from a file (a response of Azora's, fetched by the benchmark) and their content type.
// Whatever Azora does per request beyond this (middleware, authentication, limits, the cache) is the distance to it.
// usage: dotnet InMemoryCeiling.dll --Body=FILE --ContentType=TYPE   (the address in ASPNETCORE_URLS)
var builder = WebApplication.CreateBuilder(args);
var body = await File.ReadAllBytesAsync(builder.Configuration["Body"] ?? throw new InvalidOperationException("Give --Body=FILE, the bytes to serve."));
var contentType = builder.Configuration["ContentType"] ?? "application/json; charset=utf-8";
var app = builder.Build();
app.MapGet("/", () => Results.Bytes(body, contentType));
app.Run();
