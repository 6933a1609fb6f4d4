using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using Azora.Tests.Api;
using Azora.Tests.Stack;

namespace Azora.Tests.Admin;

/// <summary>
/// A deployment-like start: an empty Production database, the operator's <c>admin create</c> run as its own process
/// (the built Azora.Api.dll), then the first admin through an API of its own on that database.
/// </summary>
[Collection(StackCollection.Name)]
public class AdminBootstrapTests(AzoraStackFixture stack)
{
    private const string AdminPassword = "a-lighthouse-on-the-cliff-2026";

    [Fact]
    public async Task The_operator_command_creates_the_first_admin_once_and_refuses_with_its_own_exit_codes()
    {
        var database = await stack.CreateMigratedDatabaseAsync("bootstrap");
        var email = TestAccounts.NewEmail("operator");

        var created = await AdminCommandAsync(database, AdminPassword, "admin", "create", "--email", email, "--name", "First Admin", "--password-stdin");
        Assert.True(created.ExitCode == 0, created.Output);
        Assert.Contains($"created admin {email}", created.Output);
        Assert.DoesNotContain("Now listening", created.Output);

        var again = await AdminCommandAsync(database, "another-password-entirely", "admin", "create", "--email", email.ToUpperInvariant(), "--password-stdin");
        Assert.Equal(3, again.ExitCode);
        Assert.Contains("already an admin; nothing was changed", again.Output);

        await StackDatabase.ExecuteAsync(database,
            "INSERT INTO users (id, email, name, password_hash, roles, created_at, updated_at, password_changed_at) VALUES (gen_random_uuid(), 'taken@example.com', 'Taken', 'x', ARRAY['learner'], now(), now(), now())");
        var taken = await AdminCommandAsync(database, AdminPassword, "admin", "create", "--email", "taken@example.com", "--password-stdin");
        Assert.Equal(4, taken.ExitCode);
        Assert.Contains("is not an admin", taken.Output);

        var weak = await AdminCommandAsync(database, "short", "admin", "create", "--email", TestAccounts.NewEmail("weak"), "--password-stdin");
        Assert.Equal(2, weak.ExitCode);
        Assert.Contains("password", weak.Output);
        var noStdin = await AdminCommandAsync(database, AdminPassword, "admin", "create", "--email", TestAccounts.NewEmail("argv"), "--password", AdminPassword);
        Assert.Equal(2, noStdin.ExitCode);
        var badEmail = await AdminCommandAsync(database, AdminPassword, "admin", "create", "--email", "not-an-email", "--password-stdin");
        Assert.Equal(2, badEmail.ExitCode);

        Assert.Equal(1, await StackDatabase.CountAsync(database, "SELECT count(*) FROM users WHERE 'admin' = ANY (roles)"));
        Assert.Equal(
            ["user.admin_created"],
            await AdminApiTests.ActionsAsync(database, Guid.Parse((await StackDatabase.ScalarAsync(database, "SELECT id::text FROM users WHERE email = @email", new { email }))!)));
        Assert.Equal(1, await StackDatabase.CountAsync(database, "SELECT count(*) FROM admin_audit WHERE actor_id IS NULL AND trace_id IS NULL"));
    }

    [Fact]
    public async Task The_last_admin_cannot_be_removed_and_a_failed_change_leaves_no_audit_row()
    {
        var database = await stack.CreateMigratedDatabaseAsync("lastadmin");
        var email = TestAccounts.NewEmail("only-admin");
        Assert.Equal(0, (await AdminCommandAsync(database, AdminPassword, "admin", "create", "--email", email, "--password-stdin")).ExitCode);
        using var key = RSA.Create(2048);
        await using var api = await ApiInstance.StartAsync(stack, new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Azora:Auth:SigningKeys:0:Pem"] = key.ExportPkcs8PrivateKeyPem(),
        }, databaseConnectionString: database);
        var client = api.Client;
        var admin = await TestAccounts.LoginAsync(client, email, AdminPassword);
        using (var profile = await client.GetAsync("/api/auth/profile", admin.AccessToken))
        {
            Assert.True((await profile.JsonAsync()).GetProperty("emailVerified").GetBoolean(), "the admin command creates verified accounts");
        }

        using (var demote = await client.SendJsonAsync(HttpMethod.Put, $"/api/admin/users/{admin.UserId}/roles", new { roles = Array.Empty<string>() }, admin.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(demote, HttpStatusCode.Conflict, "CONFLICT");
        }

        using (var disable = await client.PostJsonAsync($"/api/admin/users/{admin.UserId}/disable", new { }, admin.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(disable, HttpStatusCode.Conflict, "CONFLICT");
        }

        // A second admin may step the first one down.
        var second = await TestAccounts.RegisterAsync(client, password: AdminPassword);
        await AdminApiTests.SetRolesAsync(client, admin, second.UserId, ["admin"]);
        var secondAdmin = await TestAccounts.LoginAsync(client, second.Email, AdminPassword);
        await AdminApiTests.SetRolesAsync(client, secondAdmin, admin.UserId, []);
        using (var last = await client.SendJsonAsync(HttpMethod.Put, $"/api/admin/users/{secondAdmin.UserId}/roles", new { roles = new[] { "instructor" } }, secondAdmin.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(last, HttpStatusCode.Conflict, "CONFLICT");
        }

        Assert.Equal(["user.admin_created", "user.roles_changed"], await AdminApiTests.ActionsAsync(database, admin.UserId));
        Assert.Equal(["user.roles_changed"], await AdminApiTests.ActionsAsync(database, second.UserId));

        // The change, its audit row and its event share one transaction: when the event cannot be written, neither is the rest.
        await StackDatabase.ExecuteAsync(database, """
            CREATE FUNCTION refuse_event() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no events today'; END; $$;
            CREATE TRIGGER refuse_event BEFORE INSERT ON outbox_events FOR EACH ROW EXECUTE FUNCTION refuse_event();
            """);
        var learner = await TestAccounts.RegisterAsync(client);
        using (var failed = await client.SendJsonAsync(HttpMethod.Put, $"/api/admin/users/{learner.UserId}/roles", new { roles = new[] { "instructor" } }, secondAdmin.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(failed, HttpStatusCode.InternalServerError, "INTERNAL_ERROR");
        }

        Assert.Empty(await AdminApiTests.ActionsAsync(database, learner.UserId));
        Assert.Equal(1, await StackDatabase.CountAsync(database, "SELECT count(*) FROM users WHERE id = @id AND roles = ARRAY['learner']", new { id = learner.UserId }));
        using var stillSignedIn = await client.GetAsync("/api/auth/profile", learner.AccessToken);
        Assert.Equal(HttpStatusCode.OK, stillSignedIn.StatusCode);
    }

    /// <summary>Runs the built API's command as the operator would, with the password on stdin.</summary>
    internal static async Task<(int ExitCode, string Output)> AdminCommandAsync(string database, string password, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(ApiInstance.AssemblyPath(new Projects.Azora_Api().ProjectPath, "Azora.Api.dll"));
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__azora"] = database;
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteLineAsync(password);
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await output + await error);
    }
}
