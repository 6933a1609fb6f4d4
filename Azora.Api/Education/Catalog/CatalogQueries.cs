using System.Text;
using Azora.Api.Auth;
using Azora.Api.Common;
using Dapper;
using Npgsql;

namespace Azora.Api.Education.Catalog;

public sealed record CatalogFilter(string? Category, string? Level, string? Query, bool? Free, Guid? InstructorId, string Sort);

/// <summary>
/// Reads of the catalog, with visibility applied in SQL: drafts and archived courses only for their instructor and admins.
/// What everybody sees (the list and categories for anonymous callers and learners, a course page for anonymous callers)
/// may come from the read replica (<see cref="ReadDatabase"/>); an instructor's or admin's view, which shows their own
/// edits, and a signed-in learner's course page, which shows their progress, always come from the primary.
/// </summary>
public sealed class CatalogQueries(NpgsqlDataSource database, ReadDatabase reads)
{
    /// <summary>ORDER BY per sort, over <c>c</c> (courses).</summary>
    public static readonly IReadOnlyDictionary<string, string> Sorts = new Dictionary<string, string>
    {
        ["newest"] = "c.created_at DESC, c.id DESC",
        ["oldest"] = "c.created_at, c.id",
        ["title"] = "lower(c.title), c.id",
        ["price"] = "c.price_minor, c.id",
        ["-price"] = "c.price_minor DESC, c.id",
        // courses.enrollment_count: the enrollments that are not revoked, kept exact by triggers on enrollments (0016).
        ["popular"] = "c.enrollment_count DESC, c.created_at DESC, c.id",
    };

    /// <summary>Each sort's order read from the other end: every column's direction flipped, the same index walked backwards.</summary>
    private static readonly IReadOnlyDictionary<string, string> Reversed = Sorts.ToDictionary(sort => sort.Key, sort => string.Join(", ",
        sort.Value.Split(", ").Select(column => column.EndsWith(" DESC", StringComparison.Ordinal) ? column[..^" DESC".Length] : column + " DESC")));

    private const string CourseColumns =
        """
        c.id AS Id, c.slug AS Slug, c.title AS Title, c.description AS Description, c.level AS Level,
        c.price_minor AS PriceMinor, c.currency AS Currency, c.published AS Published, c.archived_at AS ArchivedAt,
        c.created_at AS CreatedAt, c.updated_at AS UpdatedAt,
        cat.id AS CategoryId, cat.slug AS CategorySlug, cat.name AS CategoryName,
        u.id AS InstructorId, u.name AS InstructorName,
        c.enrollment_count AS EnrollmentCount,
        outline.lesson_count AS LessonCount, outline.duration_seconds AS DurationSeconds
        """;

    // One pass over a course's lessons for both their number and their total duration (an aggregate without GROUP BY
    // always yields one row, so a course without lessons gets 0 and 0).
    private const string OutlineJoin =
        "CROSS JOIN LATERAL (SELECT count(*)::int AS lesson_count, coalesce(sum(l.duration_seconds), 0)::int AS duration_seconds FROM lessons l WHERE l.course_id = c.id) outline";

    private const string CourseJoins =
        $"FROM courses c JOIN categories cat ON cat.id = c.category_id JOIN users u ON u.id = c.instructor_id {OutlineJoin}";

    public async Task<PagedResponse<CourseSummary>> ListAsync(Viewer viewer, CatalogFilter filter, PageRequest page, CancellationToken cancellationToken)
    {
        var where = new StringBuilder(Visibility(viewer));
        var parameters = new DynamicParameters(new { viewerId = viewer.UserId });
        if (filter.Category is not null)
        {
            where.Append(" AND c.category_id = (SELECT id FROM categories WHERE slug = @category)");
            parameters.Add("category", filter.Category);
        }

        if (filter.Level is not null)
        {
            where.Append(" AND c.level = @level");
            parameters.Add("level", filter.Level);
        }

        if (filter.Query is not null)
        {
            where.Append(" AND (c.search @@ websearch_to_tsquery('simple', @q) OR c.title ILIKE @pattern ESCAPE '\\')");
            parameters.Add("q", filter.Query);
            parameters.Add("pattern", LikePatterns.Containing(filter.Query));
        }

        if (filter.Free is { } free)
        {
            where.Append(free ? " AND c.price_minor = 0" : " AND c.price_minor > 0");
        }

        if (filter.InstructorId is { } instructorId)
        {
            where.Append(" AND c.instructor_id = @instructorId");
            parameters.Add("instructorId", instructorId);
        }

        // The page's ids are found first on courses alone, then only those rows are joined and counted, so a deep page
        // does not pay for the columns of every row it skips. Two statements, not one: the ids need a plan for their
        // offset (a generic plan guesses a tenth of the catalog and joins it all), and planning the joined statement
        // for each page cost PostgreSQL as much as running it; the columns' statement is the same for every sort and
        // page, so it keeps one generic plan.
        var order = Sorts[filter.Sort];
        await using var connection = viewer.IsPublic ? await reads.OpenAsync(cancellationToken) : await database.OpenConnectionAsync(cancellationToken);
        // An unfiltered total comes from catalog_totals (0017), kept by triggers on courses, instead of counting every
        // visible course; an instructor adds their own unlisted courses (counted from 0017's small index).
        var unfiltered = where.ToString() == Visibility(viewer);
        var count = !unfiltered ? $"SELECT count(*) FROM courses c WHERE {where}" : viewer switch
        {
            { IsAdmin: true } => "SELECT courses FROM catalog_totals",
            { IsInstructor: true, UserId: not null } =>
                $"SELECT (SELECT listed FROM catalog_totals) + (SELECT count(*) FROM courses c WHERE NOT {Listed} AND c.instructor_id = @viewerId)",
            _ => "SELECT listed FROM catalog_totals",
        };
        string IdsSql(string pageOrder) => $"SELECT c.id FROM courses c WHERE {where} ORDER BY {pageOrder} LIMIT @pageLimit OFFSET @pageOffset";

        long total;
        List<Guid> ids;
        if (!unfiltered)
        {
            // The total and the page's ids go to PostgreSQL in one round trip.
            parameters.AddDynamicParams(new { pageLimit = page.Limit, pageOffset = page.Offset });
            await using var results = await connection.QueryMultipleAsync(new CommandDefinition($"{count};\n{IdsSql(order)}", parameters, cancellationToken: cancellationToken));
            total = await results.ReadSingleAsync<long>();
            ids = (await results.ReadAsync<Guid>()).AsList();
        }
        else
        {
            // The total first (next to nothing), so a page past the middle can be found from the other end, by the same
            // index walked backwards: no page skips more than half the courses.
            total = await connection.ExecuteScalarAsync<long>(new CommandDefinition(count, parameters, cancellationToken: cancellationToken));
            var fromEnd = 2L * page.Offset + page.Limit > total;
            var limit = fromEnd ? Math.Min(page.Limit, total - page.Offset) : page.Limit;
            var offset = fromEnd ? Math.Max(0, total - page.Offset - page.Limit) : page.Offset;
            parameters.AddDynamicParams(new { pageLimit = limit, pageOffset = offset });
            ids = limit <= 0
                ? []
                : (await connection.QueryAsync<Guid>(new CommandDefinition(
                    IdsSql(fromEnd ? Reversed[filter.Sort] : order), parameters, cancellationToken: cancellationToken))).AsList();
            if (fromEnd)
            {
                ids.Reverse();
            }
        }

        var rows = await InPageOrderAsync(connection, viewer, ids, cancellationToken);
        return PagedResponse<CourseSummary>.Create(rows.Select(row => row.ToSummary()).ToList(), page, total);
    }

    /// <summary>
    /// The courses of a page in the order of <paramref name="ids"/>. Read after the ids, so visibility is checked again:
    /// a course unpublished or deleted in between is left out, never shown to a viewer who may no longer see it.
    /// </summary>
    internal static async Task<List<CourseRow>> InPageOrderAsync(NpgsqlConnection connection, Viewer viewer, List<Guid> ids, CancellationToken cancellationToken)
    {
        if (ids.Count == 0)
        {
            return [];
        }

        var rows = (await connection.QueryAsync<CourseRow>(new CommandDefinition(
            $"SELECT {CourseColumns} {CourseJoins} WHERE c.id = ANY(@ids) AND {Visibility(viewer)}",
            new { ids = ids.ToArray(), viewerId = viewer.UserId }, cancellationToken: cancellationToken))).ToDictionary(row => row.Id);
        return [.. ids.Where(rows.ContainsKey).Select(id => rows[id])];
    }

    public async Task<CourseDetail?> FindAsync(Viewer viewer, string idOrSlug, CancellationToken cancellationToken)
    {
        var byId = Guid.TryParse(idOrSlug, out var id);
        await using var connection = viewer.UserId is null ? await reads.OpenAsync(cancellationToken) : await database.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<CourseRow>(new CommandDefinition(
            $"SELECT {CourseColumns} {CourseJoins} WHERE {(byId ? "c.id = @id" : "c.slug = @slug")} AND {Visibility(viewer)}",
            new { id, slug = idOrSlug, viewerId = viewer.UserId }, cancellationToken: cancellationToken));
        if (row is null)
        {
            return null;
        }

        // Completed is null unless the viewer holds an enrollment: such a response is personal, so the detail is never
        // served from or stored in the shared cache for a signed-in viewer (ViewerCachePolicy).
        var lessons = await connection.QueryAsync<LessonOutline>(new CommandDefinition(
            """
            SELECT l.id AS Id, l.position AS Position, l.title AS Title, l.duration_seconds AS DurationSeconds, l.preview AS Preview,
                   CASE WHEN e.id IS NULL THEN NULL ELSE lc.lesson_id IS NOT NULL END AS Completed
            FROM lessons l
            LEFT JOIN enrollments e ON e.course_id = l.course_id AND e.user_id = @viewerId AND e.status <> 'revoked'
            LEFT JOIN lesson_completions lc ON lc.enrollment_id = e.id AND lc.lesson_id = l.id
            WHERE l.course_id = @id ORDER BY l.position, l.created_at
            """,
            new { id = row.Id, viewerId = viewer.UserId }, cancellationToken: cancellationToken));
        return new CourseDetail(row.ToSummary(), lessons.AsList());
    }

    public async Task<IReadOnlyList<CategoryResponse>> CategoriesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await reads.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<CategoryResponse>(new CommandDefinition(
            """
            SELECT cat.id AS Id, cat.slug AS Slug, cat.name AS Name,
                   (SELECT count(*) FROM courses c WHERE c.category_id = cat.id AND c.published AND c.archived_at IS NULL) AS CourseCount
            FROM categories cat ORDER BY cat.name
            """,
            cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>The courses everybody sees (the predicate of the catalog's partial indexes).</summary>
    private const string Listed = "(c.published AND c.archived_at IS NULL)";

    private static string Visibility(Viewer viewer) => viewer switch
    {
        { IsAdmin: true } => "true",
        { IsInstructor: true, UserId: not null } => $"({Listed} OR c.instructor_id = @viewerId)",
        _ => Listed,
    };

    internal sealed class CourseRow
    {
        public Guid Id { get; init; }
        public string Slug { get; init; } = "";
        public string Title { get; init; } = "";
        public string Description { get; init; } = "";
        public string Level { get; init; } = "";
        public long PriceMinor { get; init; }
        public string Currency { get; init; } = "";
        public bool Published { get; init; }
        public DateTime? ArchivedAt { get; init; }
        public DateTime CreatedAt { get; init; }
        public DateTime UpdatedAt { get; init; }
        public Guid CategoryId { get; init; }
        public string CategorySlug { get; init; } = "";
        public string CategoryName { get; init; } = "";
        public Guid InstructorId { get; init; }
        public string InstructorName { get; init; } = "";
        public long EnrollmentCount { get; init; }
        public int LessonCount { get; init; }
        public int DurationSeconds { get; init; }

        public CourseSummary ToSummary() => new(
            Id, Slug, Title, Description, new CategoryRef(CategoryId, CategorySlug, CategoryName), Level,
            new Money(PriceMinor, Currency), PriceMinor == 0, new InstructorRef(InstructorId, InstructorName), EnrollmentCount,
            LessonCount, DurationSeconds, Published, ArchivedAt.AsUtcOffset(), CreatedAt.AsUtcOffset(), UpdatedAt.AsUtcOffset());
    }
}
