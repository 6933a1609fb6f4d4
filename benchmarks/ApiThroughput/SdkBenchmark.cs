using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Azora.Client;
using Azora.Client.Generated;
using Azora.Client.Generated.Models;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;

namespace Azora.Benchmarks;

/// <summary>
/// List-courses calls per second through Azora.Client (its pipeline, Kiota's request building and JSON parsing)
/// against a plain HttpClient with System.Text.Json reading the same URL into equivalent records, in the same run,
/// in alternating rounds so that both meet the same machine. Against a running API (the developer stack by default):
/// every call is an anonymous, cached catalog page, so the difference is the client's own cost.
/// </summary>
internal static class SdkBenchmark
{
    // The SDK's request for page 1 of 20 is exactly this URL (its query parameters in the URL template's order).
    private const string Path = "/api/education/courses?limit=20&page=1";

    public static async Task RunAsync(Uri api, int rounds, TimeSpan round, int concurrency)
    {
        using var http = new HttpClient { BaseAddress = api };
        using var sdk = new AzoraClient(api, new AzoraClientOptions { MaxRateLimitRetries = 0 });

        async Task<int> Raw()
        {
            using var response = await http.GetAsync(Path);
            response.EnsureSuccessStatusCode();
            var page = await response.Content.ReadFromJsonAsync<Page>(JsonSerializerOptions.Web);
            return page!.Data.Count;
        }

        async Task<int> ThroughSdk() => (await sdk.ListCoursesAsync(page: 1, limit: 20)).Items.Count;

        // The generated client alone, on a plain HttpClient: what Kiota costs, apart from Azora.Client's pipeline.
        using var kiotaHttp = new HttpClient { BaseAddress = api };
        using var adapter = new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: kiotaHttp);
        var kiota = new AzoraApiClient(adapter);

        async Task<int> KiotaOnly()
        {
            var request = kiota.Api.Education.Courses.ToGetRequestInformation();
            request.QueryParameters["limit"] = "20";
            request.QueryParameters["page"] = "1";
            return (await adapter.SendAsync(request, PagedResponseOfCourseSummary.CreateFromDiscriminatorValue))!.Data!.Count;
        }

        // Both read the same page; then warm up both (JIT, connections, the API's cache).
        var (rawCount, sdkCount) = (await Raw(), await ThroughSdk());
        if (rawCount != sdkCount || rawCount == 0 || await KiotaOnly() != rawCount)
        {
            throw new InvalidOperationException($"The two clients read different pages: {rawCount} and {sdkCount} courses.");
        }

        await LoadAsync(Raw, TimeSpan.FromSeconds(1), concurrency);
        await LoadAsync(ThroughSdk, TimeSpan.FromSeconds(1), concurrency);
        await LoadAsync(KiotaOnly, TimeSpan.FromSeconds(1), concurrency);

        long rawCalls = 0, sdkCalls = 0, kiotaCalls = 0;
        TimeSpan rawTime = TimeSpan.Zero, sdkTime = TimeSpan.Zero, rawCpu = TimeSpan.Zero, sdkCpu = TimeSpan.Zero, kiotaCpu = TimeSpan.Zero;
        for (var i = 0; i < rounds; i++)
        {
            // Alternate which goes first, so neither always follows the other's garbage collections.
            var sdkFirst = i % 2 == 1;
            var first = await LoadAsync(sdkFirst ? ThroughSdk : Raw, round, concurrency);
            var second = await LoadAsync(sdkFirst ? Raw : ThroughSdk, round, concurrency);
            var (raw, viaSdk) = sdkFirst ? (second, first) : (first, second);
            rawCalls += raw.Calls;
            rawTime += raw.Elapsed;
            sdkCalls += viaSdk.Calls;
            sdkTime += viaSdk.Elapsed;
            rawCpu += raw.ClientCpu;
            sdkCpu += viaSdk.ClientCpu;
            // The generated client alone only for its CPU per call (the ratio of rates compares the two above).
            var alone = await LoadAsync(KiotaOnly, round / 2, concurrency);
            kiotaCalls += alone.Calls;
            kiotaCpu += alone.ClientCpu;
            Console.WriteLine($"round {i + 1}: raw {raw.Calls / raw.Elapsed.TotalSeconds:F0}/s, Azora.Client {viaSdk.Calls / viaSdk.Elapsed.TotalSeconds:F0}/s");
        }

        var rawRate = rawCalls / rawTime.TotalSeconds;
        var sdkRate = sdkCalls / sdkTime.TotalSeconds;
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores; API {api}; GET {Path}; {rounds} rounds of {round.TotalSeconds} s each per client; {concurrency} concurrent callers");
        Console.WriteLine($"raw HttpClient + System.Text.Json: {rawRate:F0} lists/s ({rawCalls} calls), client CPU {rawCpu.TotalMilliseconds / rawCalls:F2} ms per call");
        Console.WriteLine($"Azora.Client ListCoursesAsync:     {sdkRate:F0} lists/s ({sdkCalls} calls), client CPU {sdkCpu.TotalMilliseconds / sdkCalls:F2} ms per call");
        Console.WriteLine($"generated client alone (no pipeline): client CPU {kiotaCpu.TotalMilliseconds / kiotaCalls:F2} ms per call ({kiotaCalls} calls)");
        Console.WriteLine($"Azora.Client / raw: {sdkRate / rawRate:P0} of the calls per second; {sdkCpu.TotalMilliseconds / sdkCalls / (rawCpu.TotalMilliseconds / rawCalls):F1}x the client CPU per call");
    }

    /// <summary>Calls in a loop from <paramref name="concurrency"/> callers; counts them, and this process's CPU time
    /// (the client's own cost, which the API on the same machine does not blur).</summary>
    private static async Task<(long Calls, TimeSpan Elapsed, TimeSpan ClientCpu)> LoadAsync(Func<Task<int>> call, TimeSpan duration, int concurrency)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var calls = 0L;
        var stopwatch = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (stopwatch.Elapsed < duration)
            {
                await call();
                Interlocked.Increment(ref calls);
            }
        }));
        return (calls, stopwatch.Elapsed, Process.GetCurrentProcess().TotalProcessorTime - cpu);
    }

    // The course summary as the API sends it, every member, for System.Text.Json to read as the SDK's models do.
    private sealed record Page(List<Course> Data, Pagination Pagination);

    private sealed record Pagination(int Page, int Limit, long Total, long Pages);

    private sealed record Course(
        Guid Id, string Slug, string Title, string Description, Category Category, string Level, Money Price, bool IsFree, Instructor Instructor,
        long EnrollmentCount, int LessonCount, int DurationSeconds, bool Published, DateTimeOffset? ArchivedAt, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

    private sealed record Category(Guid Id, string Slug, string Name);

    private sealed record Money(long Amount, string Currency);

    private sealed record Instructor(Guid Id, string Name);
}
