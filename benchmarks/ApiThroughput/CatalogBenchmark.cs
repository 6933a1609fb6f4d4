using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;

namespace Azora.Benchmarks;

/// <summary>
/// A cached <c>GET /api/education/courses</c> per second against the trivial <c>GET /</c> of the same API in the same
/// run, and uncached lists over a catalog of 10,000 published courses: anonymous pages each asked once (so each is a
/// cache miss), and the staff view (a signed-in instructor or admin, whose list always reads PostgreSQL) as latency one
/// request at a time and as requests per second from one client and from several.
/// </summary>
internal static class CatalogBenchmark
{
    public const int Courses = 10_000;
    private const int PageSize = 20;
    private const string DevelopmentPassword = "azora-development-only";
    private static readonly string[] Sorts = ["newest", "title", "price", "popular"];

    /// <summary>1,000 distinct list pages of 20 over the seeded catalog (every other page, in every sort).</summary>
    public static IReadOnlyList<string> UncachedPaths { get; } = Paths(step: 2);

    public static async Task RunAsync(TimeSpan phase, int concurrency)
    {
        await using var stack = await BenchmarkStack.StartAsync();
        await SeedAsync(await stack.ConnectionStringAsync("azora"));
        var client = stack.Client;

        async Task<HttpStatusCode> Get(string path)
        {
            using var response = await client.GetAsync(path);
            await response.Content.ReadAsByteArrayAsync();
            return response.StatusCode;
        }

        // Anonymous, uncached: each (page, sort) once, one request at a time.
        var latencies = new List<double>();
        foreach (var path in UncachedPaths)
        {
            var stopwatch = Stopwatch.StartNew();
            var status = await Get(path);
            latencies.Add(stopwatch.Elapsed.TotalMilliseconds);
            if (status != HttpStatusCode.OK)
            {
                throw new InvalidOperationException($"List answered {(int)status}.");
            }
        }

        latencies.Sort();
        var staff = await MeasureUncachedAsync(stack, phase, concurrency);
        await stack.LoadAsync(() => Get("/"), TimeSpan.FromSeconds(5), concurrency);
        await stack.LoadAsync(() => Get("/api/education/courses"), TimeSpan.FromSeconds(5), concurrency);
        var trivial = await stack.LoadAsync(() => Get("/"), phase, concurrency);
        var cached = await stack.LoadAsync(() => Get("/api/education/courses"), phase, concurrency);

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores; {phase.TotalSeconds} s per phase; {concurrency} concurrent clients; {Courses:N0} courses");
        Console.WriteLine($"uncached anonymous GET /api/education/courses ({PageSize} per page, {latencies.Count} distinct pages and sorts, one at a time): " +
            $"p50 {Percentile(latencies, 0.50):F1} ms, p99 {Percentile(latencies, 0.99):F1} ms, max {latencies[^1]:F1} ms");
        foreach (var line in staff.Describe())
        {
            Console.WriteLine(line);
        }

        Console.WriteLine(trivial.Describe("GET / (trivial)"));
        Console.WriteLine(cached.Describe("GET /api/education/courses (cached)"));
        Console.WriteLine($"cached list / trivial endpoint: {cached.PerSecond / trivial.PerSecond:P0}");
    }

    /// <summary>
    /// The staff view of the list, which never uses the cache: the instructor's and the admin's latency one request at a
    /// time over every sort and pages across the whole catalog, then the instructor's requests per second from one
    /// client and from <paramref name="concurrency"/> clients, cycling through the same pages and sorts. Needs the
    /// Development accounts (any stack the benchmarks start has them) and <see cref="SeedAsync"/> done.
    /// </summary>
    public static async Task<UncachedCatalog> MeasureUncachedAsync(BenchmarkStack stack, TimeSpan phase, int concurrency)
    {
        var client = stack.Client;
        var instructor = await SignInAsync(client, "instructor@azora.local");
        var admin = await SignInAsync(client, "admin@azora.local");
        var paths = Paths(step: 5);

        async Task<HttpStatusCode> Get(string path, string token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, path);
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await client.SendAsync(request);
            await response.Content.ReadAsByteArrayAsync();
            if (response.StatusCode == HttpStatusCode.OK && response.Headers.Age is not null)
            {
                throw new InvalidOperationException("A staff list came from the cache.");
            }

            return response.StatusCode;
        }

        var next = -1;
        Task<HttpStatusCode> Cycle() => Get(paths[(int)((uint)Interlocked.Increment(ref next) % paths.Count)], instructor);

        // Tiered JIT keeps recompiling hot methods for a while: warm up before anything is timed.
        await stack.LoadAsync(Cycle, TimeSpan.FromSeconds(5), concurrency);
        var latencies = new Dictionary<string, List<double>>();
        foreach (var (who, token) in new[] { ("instructor", instructor), ("admin", admin) })
        {
            var measured = latencies[who] = [];
            foreach (var path in paths)
            {
                var stopwatch = Stopwatch.StartNew();
                var status = await Get(path, token);
                measured.Add(stopwatch.Elapsed.TotalMilliseconds);
                if (status != HttpStatusCode.OK)
                {
                    throw new InvalidOperationException($"List answered {(int)status} to the {who}.");
                }
            }

            measured.Sort();
        }

        var databaseCpu = stack.ResourceCpu("postgres");
        var single = await stack.LoadAsync(Cycle, phase, 1);
        var singleDatabaseCpu = stack.ResourceCpu("postgres") - databaseCpu;
        databaseCpu = stack.ResourceCpu("postgres");
        var concurrent = await stack.LoadAsync(Cycle, phase, concurrency);
        var concurrentDatabaseCpu = stack.ResourceCpu("postgres") - databaseCpu;
        return new UncachedCatalog(paths.Count, latencies, single, singleDatabaseCpu, concurrent, concurrentDatabaseCpu, concurrency);
    }

    /// <summary>Every sort, and from page 1 every <paramref name="step"/>th page to the last.</summary>
    private static List<string> Paths(int step) =>
        [.. Sorts.SelectMany(sort => Enumerable.Range(0, (Courses / PageSize + step - 1) / step)
            .Select(i => $"/api/education/courses?sort={sort}&page={1 + i * step}&limit={PageSize}"))];

    private static async Task<string> SignInAsync(HttpClient client, string email)
    {
        using var response = await client.PostAsJsonAsync("/api/auth/login", new { email, password = DevelopmentPassword });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString()!;
    }

    internal static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];

    /// <summary>
    /// 10,000 published courses with two lessons each and some enrollments, beside the sample catalog, then vacuumed as
    /// autovacuum would do a minute later: until then no page is marked all-visible, so every index-only scan also reads
    /// the table, which roughly doubled PostgreSQL's time per staff list and made the figure depend on when autovacuum ran.
    /// </summary>
    public static async Task SeedAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var seed = new NpgsqlCommand(
            $"""
            INSERT INTO courses (id, slug, title, description, category_id, level, price_minor, currency, instructor_id, published, created_at, updated_at)
            SELECT gen_random_uuid(), 'bench-' || n, 'Benchmark course ' || n, 'A generated course number ' || n || ' about topic ' || (n % 97),
                   (SELECT id FROM categories ORDER BY slug LIMIT 1 OFFSET n % 6),
                   (ARRAY['beginner','intermediate','advanced'])[1 + n % 3], (n % 4) * 1000, 'USD',
                   (SELECT id FROM users WHERE 'instructor' = ANY(roles) ORDER BY email LIMIT 1 OFFSET n % 4),
                   true, now() - n * interval '1 minute', now()
            FROM generate_series(1, {Courses}) AS n;
            INSERT INTO lessons (id, course_id, position, title, duration_seconds, created_at)
            SELECT gen_random_uuid(), c.id, p, 'Lesson ' || p, 600, now() FROM courses c CROSS JOIN generate_series(1, 2) AS p WHERE c.slug LIKE 'bench-%';
            INSERT INTO enrollments (id, user_id, course_id, status, created_at, updated_at)
            SELECT gen_random_uuid(), u.id, c.id, 'active', now(), now()
            FROM courses c CROSS JOIN (SELECT id FROM users WHERE 'instructor' = ANY(roles)) u
            WHERE c.slug LIKE 'bench-%' AND hashtext(c.slug) % 5 = 0;
            """, connection);
        seed.CommandTimeout = 300;
        await seed.ExecuteNonQueryAsync();
        // Not in the batch above: VACUUM cannot run inside the transaction block a batch of statements is.
        await BenchmarkStack.AnalyzeAsync(connection);
    }
}

/// <summary>
/// The staff view of the uncached list: latency per viewer (sorted, ms) and the instructor's throughput, with the CPU
/// PostgreSQL spent in each phase (every backend), which does not depend much on what else the machine runs.
/// </summary>
internal sealed record UncachedCatalog(
    int Pages, IReadOnlyDictionary<string, List<double>> Latencies, LoadResult SingleClient, TimeSpan SingleClientDatabaseCpu,
    LoadResult Concurrent, TimeSpan ConcurrentDatabaseCpu, int Concurrency)
{
    public IEnumerable<string> Describe()
    {
        foreach (var (who, sorted) in Latencies)
        {
            yield return $"uncached {who} GET /api/education/courses ({Pages} pages over every sort, one at a time): " +
                $"p50 {CatalogBenchmark.Percentile(sorted, 0.50):F1} ms, p99 {CatalogBenchmark.Percentile(sorted, 0.99):F1} ms, max {sorted[^1]:F1} ms";
        }

        yield return SingleClient.Describe("uncached instructor GET /api/education/courses, 1 client") + DatabaseCpu(SingleClient, SingleClientDatabaseCpu);
        yield return Concurrent.Describe($"uncached instructor GET /api/education/courses, {Concurrency} clients") + DatabaseCpu(Concurrent, ConcurrentDatabaseCpu);
    }

    private static string DatabaseCpu(LoadResult load, TimeSpan cpu) => $", PostgreSQL CPU {cpu.TotalMilliseconds / Math.Max(load.Ok, 1):F2} ms per request";
}
