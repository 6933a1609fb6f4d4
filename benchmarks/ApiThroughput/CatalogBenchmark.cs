using System.Diagnostics;
using System.Net;
using Npgsql;

namespace Azora.Benchmarks;

/// <summary>
/// A cached <c>GET /api/education/courses</c> per second against the trivial <c>GET /</c> of the same API in the same
/// run, and the latency of uncached lists over a catalog of 10,000 published courses (every URL asked once, so each
/// is a cache miss that reads PostgreSQL).
/// </summary>
internal static class CatalogBenchmark
{
    public const int Courses = 10_000;
    private static readonly string[] Sorts = ["newest", "title", "price", "popular"];

    /// <summary>1,000 distinct list pages of 20 over the seeded catalog (every other page, in every sort).</summary>
    public static IReadOnlyList<string> UncachedPaths { get; } =
    [
        .. Sorts.SelectMany(sort => Enumerable.Range(0, Courses / 40).Select(i => $"/api/education/courses?sort={sort}&page={2 * i + 1}&limit=20")),
    ];

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

        // Uncached: each (page, sort) once, one request at a time.
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
        await stack.LoadAsync(() => Get("/"), TimeSpan.FromSeconds(5), concurrency);
        await stack.LoadAsync(() => Get("/api/education/courses"), TimeSpan.FromSeconds(5), concurrency);
        var trivial = await stack.LoadAsync(() => Get("/"), phase, concurrency);
        var cached = await stack.LoadAsync(() => Get("/api/education/courses"), phase, concurrency);

        Console.WriteLine($"machine: {Environment.ProcessorCount} cores; {phase.TotalSeconds} s per phase; {concurrency} concurrent clients; {Courses:N0} courses");
        Console.WriteLine($"uncached GET /api/education/courses (20 per page, {latencies.Count} distinct pages and sorts, one at a time): " +
            $"p50 {Percentile(latencies, 0.50):F1} ms, p99 {Percentile(latencies, 0.99):F1} ms, max {latencies[^1]:F1} ms");
        Console.WriteLine(trivial.Describe("GET / (trivial)"));
        Console.WriteLine(cached.Describe("GET /api/education/courses (cached)"));
        Console.WriteLine($"cached list / trivial endpoint: {cached.PerSecond / trivial.PerSecond:P0}");
    }

    private static double Percentile(List<double> sorted, double p) => sorted[(int)Math.Min(sorted.Count - 1, Math.Ceiling(p * sorted.Count) - 1)];

    /// <summary>10,000 published courses with two lessons each and some enrollments, beside the sample catalog.</summary>
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
            ANALYZE;
            """, connection);
        seed.CommandTimeout = 300;
        await seed.ExecuteNonQueryAsync();
    }
}
