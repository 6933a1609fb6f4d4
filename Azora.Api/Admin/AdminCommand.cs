using Azora.Api.Auth;
using Azora.Api.Auth.Accounts;
using Azora.Api.Auth.Passwords;
using Dapper;
using Microsoft.AspNetCore.Identity;
using Npgsql;

namespace Azora.Api.Admin;

/// <summary>
/// The operator's one-shot command in the API's image, for the first admin of an environment (nothing reachable from
/// the internet can create one):
/// <c>dotnet Azora.Api.dll admin create --email EMAIL [--name NAME] --password-stdin</c>. It reads the API's own
/// configuration (appsettings, environment variables, <c>ConnectionStrings:azora</c>), never starts the web host, and
/// never changes an existing account: it refuses, with its own exit code, when the email is already taken.
/// </summary>
public static class AdminCommand
{
    public const int Created = 0;
    public const int Failed = 1;
    public const int UsageError = 2;
    public const int AdminExists = 3;
    public const int EmailTaken = 4;

    private const string Usage = "usage: dotnet Azora.Api.dll admin create --email EMAIL [--name NAME] --password-stdin (the password is one line on stdin)";

    /// <summary>Whether the process was started as the command rather than as the API.</summary>
    public static bool IsCommand(string[] args) => args is ["admin", ..];

    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            return await RunAsync(args, Console.In, Console.Out, Console.Error);
        }
        catch (NpgsqlException ex)
        {
            await Console.Error.WriteLineAsync($"error: the database could not be reached or refused the change: {ex.Message}");
            return Failed;
        }
    }

    public static async Task<int> RunAsync(string[] args, TextReader input, TextWriter output, TextWriter error)
    {
        if (!TryParse(args, out var email, out var name, out var problem))
        {
            await error.WriteLineAsync($"error: {problem}\n{Usage}");
            return UsageError;
        }

        var password = await input.ReadLineAsync() ?? "";
        var errors = new Dictionary<string, string[]>();
        email = AuthEndpoints.ValidateEmail(email, errors);
        name = AuthEndpoints.ValidateName(name ?? "Administrator", errors, required: true);
        if (PasswordPolicy.FromBundledList().Check(password) is { } passwordError)
        {
            errors["password"] = [passwordError];
        }

        if (errors.Count > 0)
        {
            await error.WriteLineAsync(string.Join('\n', errors.Select(field => $"error: {field.Key}: {string.Join(" ", field.Value)}")));
            return UsageError;
        }

        // The API's configuration, read as the API reads it (ASPNETCORE_ENVIRONMENT, appsettings, environment
        // variables, user secrets in Development); the builder is never built, so no host starts.
        var configuration = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] }).Configuration;
        var connectionString = configuration.GetConnectionString("azora");
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            await error.WriteLineAsync("error: no ConnectionStrings:azora is configured (set ConnectionStrings__azora)");
            return Failed;
        }

        await using var database = NpgsqlDataSource.Create(connectionString);
        var hasher = new PasswordHasher<UserAccount>();
        var outcome = await CreateAsync(database, email!, name!, hasher.HashPassword(null!, PasswordPolicy.Normalize(password)), TimeProvider.System);
        switch (outcome)
        {
            case AdminExists:
                await error.WriteLineAsync($"error: {email} is already an admin; nothing was changed");
                break;
            case EmailTaken:
                await error.WriteLineAsync(
                    $"error: an account with {email} exists and is not an admin; nothing was changed (an admin can grant the role: PUT /api/admin/users/{{id}}/roles)");
                break;
            default:
                await output.WriteLineAsync($"created admin {email}");
                break;
        }

        return outcome;
    }

    /// <summary>Creates the admin and its audit row in one transaction; two runs at once create it once.</summary>
    internal static async Task<int> CreateAsync(NpgsqlDataSource database, string email, string name, string passwordHash, TimeProvider time)
    {
        await using var connection = await database.OpenConnectionAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var now = time.GetUtcNow().UtcDateTime;
        var id = Guid.CreateVersion7();
        string[] roles = [Roles.Learner, Roles.Admin];
        var inserted = await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO users (id, email, name, password_hash, roles, created_at, updated_at, password_changed_at, email_verified_at)
            VALUES (@id, @email, @name, @passwordHash, @roles, @now, @now, @now, @now)
            ON CONFLICT DO NOTHING
            """,
            new { id, email, name, passwordHash, roles, now }, transaction));
        if (inserted == 0)
        {
            var existing = await connection.QuerySingleAsync<string[]>(new CommandDefinition(
                "SELECT roles FROM users WHERE lower(email) = lower(@email)", new { email }, transaction));
            return existing.Contains(Roles.Admin) ? AdminExists : EmailTaken;
        }

        await new AdminAudit(database, time).AppendAsync(
            transaction, AdminActor.OperatorCommand, "user.admin_created", id, null, new { email, name, roles }, CancellationToken.None);
        await transaction.CommitAsync();
        return Created;
    }

    private static bool TryParse(string[] args, out string? email, out string? name, out string? problem)
    {
        email = name = problem = null;
        if (args is not ["admin", "create", .. var options])
        {
            problem = "unknown command (only 'admin create' exists)";
            return false;
        }

        var passwordStdin = false;
        for (var i = 0; i < options.Length; i++)
        {
            switch (options[i])
            {
                case "--password-stdin":
                    passwordStdin = true;
                    break;
                case "--email" or "--name" when i + 1 < options.Length:
                    if (options[i] == "--email")
                    {
                        email = options[++i];
                    }
                    else
                    {
                        name = options[++i];
                    }

                    break;
                default:
                    problem = $"unknown or incomplete option '{options[i]}'";
                    return false;
            }
        }

        problem = email is null ? "--email is required"
            : !passwordStdin ? "--password-stdin is required: the password is read from stdin, never from the command line"
            : null;
        return problem is null;
    }
}
