// Throughput and latency of the API on this machine, against the real stack. Not a test: run it by hand.
// Usage: dotnet run -c Release --project benchmarks/ApiThroughput -- auth|apikeys|catalog|payments|webhooks|mail [seconds per phase] [concurrency]
//        dotnet run -c Release --project benchmarks/ApiThroughput -- ceiling [seconds per phase]   (benchmarks/run.sh: the ceiling table)
//        dotnet run -c Release --project benchmarks/ApiThroughput -- tokens|web [seconds per path] [wrk connections, default 32] [browser loads, default 50]
//        dotnet run -c Release --project benchmarks/ApiThroughput -- sdk [rounds] [concurrency] [API address, default http://localhost:5080]
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
    "mail" => MailBenchmark.RunAsync(),
    "tokens" => TokenBenchmark.RunAsync(phase, args.Length > 2 ? concurrency : 32),
    "ceiling" => CeilingBenchmark.RunAsync(phase),
    "web" => WebBenchmark.RunAsync(phase, args.Length > 2 ? concurrency : 32, args.Length > 3 ? int.Parse(args[3]) : 50),
    // Against a running API rather than a stack of its own; the second argument counts 2-second rounds.
    "sdk" => SdkBenchmark.RunAsync(
        new Uri(args.Length > 3 ? args[3] : "http://localhost:5080"), args.Length > 1 ? int.Parse(args[1]) : 5, TimeSpan.FromSeconds(2), concurrency),
    _ => throw new ArgumentException($"Unknown benchmark '{mode}': use auth, apikeys, catalog, payments, webhooks, mail, tokens, web, ceiling or sdk."),
});
