using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azora.Tests.Stack;
using Npgsql;

namespace Azora.Tests.Api;

/// <summary>
/// The API with a read connection (<c>ConnectionStrings:azora-read</c>) to a real streaming replica of the stack's
/// PostgreSQL (<see cref="StreamingReplica"/>). Pausing the replica's replay holds it behind the primary, so whatever an
/// answer shows tells which of the two served it: a change written to the primary after the pause is only on the primary.
/// </summary>
[Collection(StackCollection.Name)]
public sealed partial class ReadReplicaTests(AzoraStackFixture stack)
{
    private static Dictionary<string, string> Settings(string readConnection) => new()
    {
        ["ConnectionStrings:azora-read"] = readConnection,
        // Every request here comes from one address.
        ["Azora:RateLimits:Anonymous:PermitLimit"] = "1000000",
        ["Azora:RateLimits:Credentials:PermitLimit"] = "1000000",
    };

    [Fact]
    public async Task Public_reads_come_from_the_replica_while_writes_and_the_callers_own_views_come_from_the_primary()
    {
        await using var replica = await StreamingReplica.StartAsync(stack);
        await using var api = await ApiInstance.StartAsync(stack, Settings(replica.ConnectionString));
        using var withoutReplica = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, api.Client, "instructor");
        var learner = await TestAccounts.RegisterAsync(api.Client);
        var course = await Courses.CreateAsync(api.Client, instructor, lessons: 2);
        await stack.ExecuteAsync("UPDATE lessons SET preview = true, content = 'Before the pause.' WHERE id = @id", new { id = course.LessonIds[0] });
        await WaitUntilReadingTheReplicaAsync(api);
        await replica.CatchUpAsync();
        await replica.PauseReplayAsync();

        // Written to the primary behind the API's back (no eviction, nothing announced): only the primary has it.
        var marker = $"Replica marker {Guid.NewGuid():N}";
        await stack.ExecuteAsync("UPDATE courses SET title = @marker WHERE id = @id", new { marker, id = course.Id });
        await stack.ExecuteAsync("UPDATE lessons SET content = @marker WHERE id = @id", new { marker, id = course.LessonIds[0] });
        var search = $"/api/education/courses?q={Uri.EscapeDataString(marker)}";

        // Anonymous: the catalog, the course page and a preview lesson come from the replica, as of the pause.
        Assert.Equal(0, await TotalAsync(api.Client, search));
        Assert.NotEqual(marker, (await Courses.GetAsync(api.Client, course.Id.ToString())).GetProperty("course").GetProperty("title").GetString());
        Assert.Equal("Before the pause.", await LessonContentAsync(api.Client, course, 0));
        // The stack's own API has no read connection: everything it reads comes from the primary.
        Assert.Equal(1, await TotalAsync(withoutReplica, search));
        Assert.Equal(marker, await LessonContentAsync(withoutReplica, course, 0));

        // The instructor's own view of the catalog comes from the primary.
        Assert.Equal(1, await TotalAsync(api.Client, search, instructor.AccessToken));

        // Writes go to the primary (the replica refuses every write), and what the learner reads right after is theirs.
        var refused = await Assert.ThrowsAsync<PostgresException>(() =>
            StackDatabase.ExecuteAsync(replica.ConnectionString, "UPDATE courses SET title = title WHERE id = @id", new { id = course.Id }));
        Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, refused.SqlState);
        using (var enrolled = await api.Client.PostJsonAsync($"/api/education/courses/{course.Id}/enroll", new { }, learner.AccessToken))
        {
            Assert.True(enrolled.StatusCode == HttpStatusCode.Created, await enrolled.Content.ReadAsStringAsync());
        }

        using (var enrollments = await api.Client.GetAsync("/api/education/enrollments", learner.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, enrollments.StatusCode);
            Assert.Contains((await enrollments.JsonAsync()).GetProperty("data").EnumerateArray(),
                enrollment => enrollment.GetProperty("course").GetProperty("id").GetGuid() == course.Id);
        }

        var learnersPage = await Courses.GetAsync(api.Client, course.Id.ToString(), learner.AccessToken);
        Assert.Equal(marker, learnersPage.GetProperty("course").GetProperty("title").GetString());
        Assert.All(learnersPage.GetProperty("lessons").EnumerateArray(), lesson => Assert.False(lesson.GetProperty("completed").GetBoolean()));
        Assert.Equal(marker, await LessonContentAsync(api.Client, course, 0, learner.AccessToken));
        // Not a preview: only the enrollment, which the replica does not have, lets the learner read it.
        await LessonContentAsync(api.Client, course, 1, learner.AccessToken);
        using (var completed = await api.Client.PostJsonAsync($"/api/education/courses/{course.Id}/lessons/{course.LessonIds[1]}/complete", new { }, learner.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, completed.StatusCode);
        }

        var draft = await Courses.CreateAsync(api.Client, instructor, lessons: 1, publish: false);
        Assert.Equal(draft.Id, (await Courses.GetAsync(api.Client, draft.Id.ToString(), instructor.AccessToken)).GetProperty("course").GetProperty("id").GetGuid());

        // Health reports the read connection, and the counters say which database served.
        Assert.Equal("Healthy", (await HealthChecksAsync(api.Client)).GetProperty(ReadCheck).GetString());
        Assert.False((await HealthChecksAsync(withoutReplica)).TryGetProperty(ReadCheck, out _));
        Assert.True(await ReadsAsync(api.Client, "replica", "replica", count => count >= 3) >= 3);
        Assert.Empty(ReadsLine().Matches(await MetricsAsync(withoutReplica)));
    }

    [Fact]
    public async Task A_publication_is_read_from_the_primary_on_every_api_process_until_the_replica_has_replayed_it()
    {
        await using var replica = await StreamingReplica.StartAsync(stack);
        var settings = Settings(replica.ConnectionString);
        await using var writer = await ApiInstance.StartAsync(stack, settings);
        await using var other = await ApiInstance.StartAsync(stack, settings);
        var instructor = await TestRoles.SignInAsAsync(stack, writer.Client, "instructor");
        var title = $"Lagging publication {Guid.NewGuid():N}";
        var course = await Courses.CreateAsync(writer.Client, instructor, title: title, publish: false);
        var search = $"/api/education/courses?q={Uri.EscapeDataString(title)}";
        await WaitUntilReadingTheReplicaAsync(writer);
        await WaitUntilReadingTheReplicaAsync(other);
        await replica.CatchUpAsync();
        // Cached before the publication: the eviction must not let an old copy back in.
        Assert.Equal(0, await TotalAsync(writer.Client, search));
        Assert.Equal(0, await TotalAsync(other.Client, search));
        await replica.PauseReplayAsync();

        using (var published = await writer.Client.PostJsonAsync($"/api/education/courses/{course.Id}/publish", new { }, instructor.AccessToken))
        {
            Assert.Equal(HttpStatusCode.OK, published.StatusCode);
        }

        // The replica still has the draft, yet the public sees the course on the process that wrote and, told over
        // Redis, on the other one; and what the refilled cache keeps is the published catalog.
        Assert.Equal(1, await TotalAsync(writer.Client, search));
        Assert.Equal(course.Id, (await Courses.GetAsync(writer.Client, course.Slug)).GetProperty("course").GetProperty("id").GetGuid());
        var seenByOther = await Eventually.ReadAsync(() => TotalAsync(other.Client, search), total => total == 1, attempts: 50, TimeSpan.FromMilliseconds(100));
        Assert.Equal(1, seenByOther);
        Assert.Equal(1, await TotalAsync(other.Client, search));
        Assert.True(await ReadsAsync(writer.Client, "primary", "catching-up", count => count >= 1) >= 1);
        Assert.True(await ReadsAsync(other.Client, "primary", "catching-up", count => count >= 1) >= 1);
        // The replica really is behind: it still has the draft.
        Assert.Equal(0, await StackDatabase.CountAsync(replica.ConnectionString, "SELECT count(*) FROM courses WHERE id = @id AND published", new { id = course.Id }));

        // Once the replica has replayed it, public reads go back to the replica.
        await replica.ResumeReplayAsync();
        await replica.CatchUpAsync();
        var before = await ReadsAsync(writer.Client, "replica", "replica", _ => true);
        Assert.Equal(1, await TotalAsync(writer.Client, $"{search}&sort=title"));
        Assert.True(await ReadsAsync(writer.Client, "replica", "replica", count => count > before) > before);
    }

    [Fact]
    public async Task A_replica_that_cannot_be_reached_leaves_public_reads_on_the_primary_and_the_api_ready()
    {
        var unreachable = ApiInstance.UnreachableEndpoint().Split(':');
        await using var api = await ApiInstance.StartAsync(stack, Settings($"Host={unreachable[0]};Port={unreachable[1]};Username=postgres;Database=azora"));
        var title = $"Primary only {Guid.NewGuid():N}";
        var instructor = await TestRoles.SignInAsAsync(stack, api.Client, "instructor");
        await Courses.CreateAsync(api.Client, instructor, title: title, lessons: 1);

        var unavailable = await Eventually.ReadAsync(
            async () =>
            {
                Assert.Equal(1, await TotalAsync(api.Client, $"/api/education/courses?q={Uri.EscapeDataString(title)}&limit={Random.Shared.Next(1, 100)}"));
                return await ReadsAsync(api.Client, "primary", "replica-unavailable", _ => true);
            },
            count => count >= 1, attempts: 50, TimeSpan.FromMilliseconds(200));
        Assert.True(unavailable >= 1);

        using var health = await api.Client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var report = await health.JsonAsync();
        Assert.Equal("Degraded", report.GetProperty("status").GetString());
        Assert.Equal("Degraded", report.GetProperty("checks").GetProperty(ReadCheck).GetString());
    }

    private const string ReadCheck = "PostgreSql_azora-read";

    /// <summary>
    /// A process reads the primary until it has learnt the primary's WAL position at its start; its log says when.
    /// </summary>
    private static async Task WaitUntilReadingTheReplicaAsync(ApiInstance api)
    {
        var ready = await Eventually.ReadAsync(
            () => Task.FromResult(api.Output.Contains("Public catalog reads use the read replica", StringComparison.Ordinal)), done => done,
            attempts: 150, TimeSpan.FromMilliseconds(200));
        Assert.True(ready, $"The API never said it reads the replica:\n{api.Output}");
    }

    private static async Task<long> TotalAsync(HttpClient client, string path, string? bearer = null)
    {
        using var response = await client.SendJsonAsync(HttpMethod.Get, path, null, bearer);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.JsonAsync()).GetProperty("pagination").GetProperty("total").GetInt64();
    }

    private static async Task<string?> LessonContentAsync(HttpClient client, TestCourse course, int lesson, string? bearer = null)
    {
        using var response = await client.SendJsonAsync(HttpMethod.Get, $"/api/education/courses/{course.Id}/lessons/{course.LessonIds[lesson]}", null, bearer);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.JsonAsync()).GetProperty("content").GetString();
    }

    private static async Task<JsonElement> HealthChecksAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/health");
        return (await response.JsonAsync()).GetProperty("checks");
    }

    private static async Task<string> MetricsAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/metrics");
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>
    /// <c>azora_database_reads_total</c> for one database and reason (0 until first counted), read until
    /// <paramref name="done"/> holds: the exporter serves the same scrape for a moment after it made one.
    /// </summary>
    private static Task<long> ReadsAsync(HttpClient client, string database, string reason, Func<long, bool> done) =>
        Eventually.ReadAsync(
            async () => ReadsLine().Matches(await MetricsAsync(client))
                .Where(line => line.Groups["labels"].Value.Contains($"database=\"{database}\"", StringComparison.Ordinal)
                    && line.Groups["labels"].Value.Contains($"reason=\"{reason}\"", StringComparison.Ordinal))
                .Sum(line => (long)double.Parse(line.Groups["value"].Value, CultureInfo.InvariantCulture)),
            done, attempts: 20, TimeSpan.FromMilliseconds(200));

    [GeneratedRegex(@"^azora_database_reads_total\{(?<labels>[^}]*)\} (?<value>[0-9.e+]+)", RegexOptions.Multiline)]
    private static partial Regex ReadsLine();
}
