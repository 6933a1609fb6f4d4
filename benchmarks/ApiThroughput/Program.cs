// Throughput and latency of the API on this machine, against the real stack. Not a test: run it by hand.
// Usage: dotnet run -c Release --project benchmarks/ApiThroughput -- auth|apikeys|catalog|payments|webhooks [seconds per phase] [concurrency]
using Azora.Benchmarks;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

var mode = args.Length > 0 ? args[0] : "auth";
var phase = TimeSpan.FromSeconds(args.Length > 1 ? int.Parse(args[1]) : 10);
var concurrency = args.Length > 2 ? int.Parse(args[2]) : 2 * Environment.ProcessorCount;
await (mode switch
{
    "auth" => AuthBenchmark.RunAsync(phase, concurrency),
    "apikeys" => ApiKeyBenchmark.RunAsync(phase, concurrency),
    "catalog" => CatalogBenchmark.RunAsync(phase, concurrency),
    "payments" => PaymentsBenchmark.RunAsync(concurrency),
    "webhooks" => WebhooksBenchmark.RunAsync(),
    _ => throw new ArgumentException($"Unknown benchmark '{mode}': use auth, apikeys, catalog, payments or webhooks."),
});
