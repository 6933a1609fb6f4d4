using Azora.Api.Auth;
using Azora.Api.Auth.Accounts;
using Azora.Api.Auth.Passwords;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Npgsql;

namespace Azora.Api.Education.Seeding;

/// <summary>
/// One account per role for local runs, seeded with the sample catalog, all with the development password written in
/// the README, in Development only. Where else the sample catalog is seeded (staging), only the instructor who owns a
/// quarter of the sample courses is created, with a password nobody knows: a published password must never open an
/// account on a deployed environment.
/// </summary>
public static class DevelopmentAccounts
{
    public const string Password = "azora-development-only";
    public const string AdminEmail = "admin@azora.local";
    public const string InstructorEmail = "instructor@azora.local";
    public const string LearnerEmail = "learner@azora.local";

    private static readonly (string Email, string Name, string[] Roles)[] Accounts =
    [
        (AdminEmail, "Azora Admin", [Roles.Learner, Roles.Admin]),
        (InstructorEmail, "Ivy Instructor", [Roles.Learner, Roles.Instructor]),
        (LearnerEmail, "Lee Learner", [Roles.Learner]),
    ];

    public static Guid InstructorId { get; } = SampleCatalog.Id("account", InstructorEmail);

    /// <summary>
    /// Inserts the accounts that are missing inside the seeding transaction; returns how many it inserted. Outside
    /// Development only the instructor, with <paramref name="unusableHash"/>.
    /// </summary>
    public static async Task<int> SeedAsync(
        NpgsqlTransaction transaction, IPasswordHasher<UserAccount> hasher, DateTime at, bool development, string unusableHash,
        CancellationToken cancellationToken)
    {
        var connection = transaction.Connection!;
        var accounts = development ? Accounts : Accounts.Where(account => account.Email == InstructorEmail).ToArray();
        var emails = accounts.Select(account => account.Email).ToArray();
        var present = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT count(*) FROM users WHERE lower(email) = ANY (@emails)", new { emails }, transaction, cancellationToken: cancellationToken));
        if (present == accounts.Length)
        {
            // Seeding runs at each start of every replica; a password hash costs ~50 ms.
            return 0;
        }

        var hash = development ? hasher.HashPassword(null!, PasswordPolicy.Normalize(Password)) : unusableHash;
        var inserted = 0;
        foreach (var (email, name, roles) in accounts)
        {
            inserted += await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO users (id, email, name, password_hash, roles, created_at, updated_at, password_changed_at, email_verified_at)
                VALUES (@id, @email, @name, @hash, @roles, @at, @at, @at, @at)
                ON CONFLICT DO NOTHING
                """,
                new { id = SampleCatalog.Id("account", email), email, name, hash, roles, at },
                transaction, cancellationToken: cancellationToken));
        }

        return inserted;
    }
}
