using System.Security.Cryptography;
using System.Text;
using Azora.Api.Auth.Accounts;
using Azora.Api.Education.Authoring;
using Azora.Api.Education.Catalog;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Azora.Api.Education.Seeding;

/// <summary>
/// A sample catalog for local runs and tests: 6 categories, 4 instructors, 36 courses (free and paid, a few drafts)
/// with 3 to 7 lessons each. Ids derive from names and every insert is ON CONFLICT DO NOTHING, so seeding again, or
/// from several replicas at once, changes nothing. Never in Production, whatever the setting says. The sample
/// instructors cannot sign in: their passwords are random and thrown away; the development accounts
/// (<see cref="DevelopmentAccounts"/>, one per role) can, and their instructor owns every fourth course.
/// </summary>
public sealed class SampleCatalog(
    NpgsqlDataSource database,
    IOptions<EducationOptions> options,
    IHostEnvironment environment,
    IPasswordHasher<UserAccount> hasher,
    ILogger<SampleCatalog> logger) : IHostedService
{
    public static readonly string[] Categories = ["Programming", "Data Science", "Design", "Business", "Languages", "Music"];

    private static readonly string[] Instructors = ["Alan Turing", "Grace Hopper", "Katherine Johnson"];

    private static readonly string[][] Titles =
    [
        ["Intro to C#", "Async and Await in Depth", "Testing with xUnit", "Web APIs with ASP.NET Core", "Distributed Apps with Aspire", "Performance Tuning .NET"],
        ["Statistics Basics", "SQL for Analysts", "Machine Learning Foundations", "Data Visualisation", "Time Series Forecasting", "Experiment Design"],
        ["Colour Theory", "Typography Essentials", "Interface Design", "Design Systems", "Accessibility by Design", "Motion Design"],
        ["Startup Finance", "Negotiation", "Product Management", "Marketing Analytics", "Leading Teams", "Pricing Strategy"],
        ["Spanish for Travellers", "Business English", "Japanese Kana", "French Pronunciation", "German Grammar", "Italian Conversation"],
        ["Music Theory 101", "Piano for Beginners", "Songwriting", "Mixing and Mastering", "Jazz Harmony", "Rhythm Training"],
    ];

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!options.Value.SeedSampleCatalog)
        {
            return;
        }

        if (environment.IsProduction())
        {
            logger.LogWarning("Azora:Education:SeedSampleCatalog is set in Production; the sample catalog is never seeded there");
            return;
        }

        try
        {
            await SeedAsync(cancellationToken);
        }
        catch (NpgsqlException ex)
        {
            // A convenience for local runs must not keep the API from starting; the next start tries again.
            logger.LogError(ex, "The sample catalog could not be seeded");
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task SeedAsync(CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var epoch = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        // One hash of a thrown-away password serves every sample instructor: a hash costs ~50 ms, and seeding runs at
        // each start of every API replica.
        var unusableHash = hasher.HashPassword(null!, Convert.ToHexString(RandomNumberGenerator.GetBytes(32)));
        var inserted = await DevelopmentAccounts.SeedAsync(transaction, hasher, epoch, environment.IsDevelopment(), unusableHash, cancellationToken);
        foreach (var (name, index) in Instructors.Select((name, index) => (name, index)))
        {
            var email = $"{name.ToLowerInvariant().Replace(' ', '.')}@sample.azora.world";
            inserted += await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO users (id, email, name, bio, password_hash, roles, created_at, updated_at, password_changed_at)
                VALUES (@id, @email, @name, @bio, @hash, ARRAY['instructor'], @at, @at, @at)
                ON CONFLICT DO NOTHING
                """,
                new
                {
                    id = Id("instructor", name),
                    email,
                    name,
                    bio = $"Sample instructor #{index + 1}.",
                    hash = unusableHash,
                    at = epoch,
                },
                transaction, cancellationToken: cancellationToken));
        }

        for (var c = 0; c < Categories.Length; c++)
        {
            var category = Categories[c];
            inserted += await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO categories (id, slug, name, created_at) VALUES (@id, @slug, @name, @at) ON CONFLICT DO NOTHING",
                new { id = Id("category", category), slug = CourseAuthoring.Slugify(category), name = category, at = epoch },
                transaction, cancellationToken: cancellationToken));

            for (var t = 0; t < Titles[c].Length; t++)
            {
                var number = c * Titles[c].Length + t;
                var title = Titles[c][t];
                var courseId = Id("course", title);
                var price = number % 3 == 0 ? 0 : 1900 + 1000 * (number % 5);
                inserted += await connection.ExecuteAsync(new CommandDefinition(
                    """
                    INSERT INTO courses (id, slug, title, description, category_id, level, price_minor, currency, instructor_id, published, created_at, updated_at)
                    VALUES (@courseId, @slug, @title, @description, @categoryId, @level, @price, @currency, @instructorId, @published, @at, @at)
                    ON CONFLICT DO NOTHING
                    """,
                    new
                    {
                        courseId,
                        slug = CourseAuthoring.Slugify(title),
                        title,
                        description = $"{title}: a sample {category.ToLowerInvariant()} course in {3 + number % 5} lessons.",
                        categoryId = Id("category", category),
                        level = CourseLevels.All[number % 3],
                        price,
                        currency = number % 4 == 1 ? "EUR" : "USD",
                        instructorId = number % 4 == 0 ? DevelopmentAccounts.InstructorId : Id("instructor", Instructors[number % 4 - 1]),
                        published = number % 12 != 11,
                        at = epoch.AddDays(number),
                    },
                    transaction, cancellationToken: cancellationToken));

                for (var position = 1; position <= 3 + number % 5; position++)
                {
                    inserted += await connection.ExecuteAsync(new CommandDefinition(
                        """
                        INSERT INTO lessons (id, course_id, position, title, duration_seconds, content_ref, created_at)
                        VALUES (@id, @courseId, @position, @title, @duration, @contentRef, @at)
                        ON CONFLICT DO NOTHING
                        """,
                        new
                        {
                            id = Id("lesson", $"{title}/{position}"),
                            courseId,
                            position,
                            title = $"{title}, part {position}",
                            duration = 300 + 60 * position,
                            contentRef = $"sample/{CourseAuthoring.Slugify(title)}/{position}",
                            at = epoch.AddDays(number),
                        },
                        transaction, cancellationToken: cancellationToken));
                }
            }
        }

        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Sample catalog seeded ({Rows} new rows)", inserted);
    }

    /// <summary>A stable id from a name, so every seeding run and replica agrees.</summary>
    public static Guid Id(string kind, string name) => new(SHA256.HashData(Encoding.UTF8.GetBytes($"azora-sample/{kind}/{name}"))[..16]);
}
