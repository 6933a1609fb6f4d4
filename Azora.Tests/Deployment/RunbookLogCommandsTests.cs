using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using Azora.Tests.Api;
using Azora.Tests.Stack;
using Npgsql;

namespace Azora.Tests.Deployment;

/// <summary>
/// The operations runbook's log commands (its "Read logs" section) run against what the services really write to
/// stdout outside Development: each <c>kubectl logs … | FILTER</c> with the filter applied to a captured log.
/// </summary>
[Collection(StackCollection.Name)]
public sealed partial class RunbookLogCommandsTests(AzoraStackFixture stack) : IDisposable
{
    private const string ErrorMessage = "Unhandled exception on POST /api/auth/login";

    private readonly ScratchFolder _scratch = new();

    public void Dispose() => _scratch.Dispose();

    [Fact]
    public async Task The_runbook_filters_find_the_errors_and_every_line_of_one_trace_in_production_logs()
    {
        // An unreachable database turns a login into a 503 that the API logs as an error, inside the request's trace.
        var database = new NpgsqlConnectionStringBuilder(await stack.ConnectionStringAsync("azora"));
        var down = ApiInstance.UnreachableEndpoint().Split(':');
        database.Host = down[0];
        database.Port = int.Parse(down[1]);
        using var key = RSA.Create(2048);
        string log;
        string followed, other;
        await using (var api = await ApiInstance.StartAsync(stack, new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Azora:Auth:SigningKeys:0:Pem"] = key.ExportPkcs8PrivateKeyPem(),
        }, databaseConnectionString: database.ConnectionString))
        {
            followed = await FailingLoginTraceIdAsync(api);
            other = await FailingLoginTraceIdAsync(api);
            log = await LinesContainingAsync(api, other);
        }

        var lines = log.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(lines, line =>
        {
            using var json = JsonDocument.Parse(line);
            Assert.Equal(["Timestamp", "EventId", "LogLevel", "Category", "Message"], json.RootElement.EnumerateObject().Select(field => field.Name).Take(5));
        });
        var errorLine = Assert.Single(lines, line => line.Contains(ErrorMessage) && line.Contains(followed));
        using (var error = JsonDocument.Parse(errorLine))
        {
            Assert.Equal("Error", error.RootElement.GetProperty("LogLevel").GetString());
            Assert.Equal("Azora.Api.Errors.ApiExceptionHandler", error.RootElement.GetProperty("Category").GetString());
            Assert.Equal(ErrorMessage, error.RootElement.GetProperty("Message").GetString());
            Assert.Equal(followed, error.RootElement.GetProperty("Scopes")[0].GetProperty("TraceId").GetString());
            Assert.Matches("^[0-9a-f]{16}$", error.RootElement.GetProperty("Scopes")[0].GetProperty("SpanId").GetString());
        }

        var file = await _scratch.WriteAsync("api.log", log);
        var filters = RunbookFilters();
        Assert.Contains(filters, filter => filter.Contains("<traceId>"));
        Assert.Contains(filters, filter => !filter.Contains("<traceId>"));
        foreach (var filter in filters)
        {
            var (exitCode, output, error) = await Repository.RunAsync("bash", ["-c", $"{filter.Replace("<traceId>", followed)} < \"$1\"", "filter", file]);
            Assert.True(exitCode == 0, $"`{filter}` failed ({exitCode}): {error}");
            if (filter.Contains("<traceId>"))
            {
                // Every line of that request and nothing of another one.
                Assert.Equal(1, Occurrences(output, ErrorMessage));
                Assert.DoesNotContain(other, output);
                Assert.All(output.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.Contains(followed, line));
            }
            else
            {
                // Both errors and nothing below Error (the start-up lines are Information).
                Assert.Equal(2, Occurrences(output, ErrorMessage));
                Assert.DoesNotContain("Application started", output);
            }
        }
    }

    [Fact]
    public async Task The_migration_job_and_the_payments_worker_log_json_lines_too_and_the_error_filter_finds_a_failed_migration()
    {
        var (exitCode, output, _) = await Repository.RunAsync(
            "dotnet", [ApiInstance.AssemblyPath(new Projects.Azora_Migrations().ProjectPath, "Azora.Migrations.dll")],
            new Dictionary<string, string> { ["DOTNET_ENVIRONMENT"] = "Production", ["ConnectionStrings__azora"] = "" });

        Assert.Equal(1, exitCode);
        var critical = JsonDocument.Parse(Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Equal("Critical", critical.RootElement.GetProperty("LogLevel").GetString());
        Assert.Equal("Azora.Migrations", critical.RootElement.GetProperty("Category").GetString());
        var errorFilter = RunbookFilters().First(filter => filter.StartsWith("grep") && !filter.Contains("<traceId>"));
        var file = await _scratch.WriteAsync("migrations.log", output);
        var (_, found, _) = await Repository.RunAsync("bash", ["-c", $"{errorFilter} < \"$1\"", "filter", file]);
        Assert.Contains("is not set", found);

        await using var payments = await ApiInstance.StartAsync(stack, new Dictionary<string, string>(ApiInstance.MailRelaySettings(stack))
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Azora:Stripe:SecretKey"] = "sk_test_azora_logs",
            ["Azora:Stripe:WebhookSecret"] = "whsec_test_azora_logs",
        }, paymentsWorker: true);
        var lines = await LinesContainingAsync(payments, "Application started");
        Assert.All(lines.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => Assert.StartsWith("{\"Timestamp\":", line));
        Assert.All(lines.Split('\n', StringSplitOptions.RemoveEmptyEntries), line => JsonDocument.Parse(line).Dispose());
    }

    [Fact]
    public async Task Development_keeps_the_readable_console()
    {
        await using var api = await ApiInstance.StartAsync(stack, new Dictionary<string, string>());

        var log = await LinesContainingAsync(api, "Application started");

        Assert.Contains("info: Microsoft.Hosting.Lifetime", log);
        Assert.DoesNotContain("\"LogLevel\"", log);
    }

    private static async Task<string> FailingLoginTraceIdAsync(ApiInstance api)
    {
        using var response = await api.Client.PostJsonAsync("/api/auth/login", new { email = "ada@example.com", password = TestAccounts.Password });
        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.ServiceUnavailable, "SERVICE_UNAVAILABLE");
        return problem.GetProperty("traceId").GetString()!;
    }

    /// <summary>The process's stdout once it holds <paramref name="text"/> (a console logger writes on its own thread).</summary>
    private static async Task<string> LinesContainingAsync(ApiInstance api, string text)
    {
        var output = await Eventually.ReadAsync(() => Task.FromResult(api.StandardOutput), read => read.Contains(text), attempts: 100, pause: TimeSpan.FromMilliseconds(100));
        Assert.True(output.Contains(text), $"stdout never showed '{text}':\n{api.Output}");
        return output;
    }

    /// <summary>The part after <c>|</c> of every <c>kubectl logs … | FILTER</c> the runbook's "Read logs" section shows.</summary>
    private static List<string> RunbookFilters()
    {
        var section = Markdown.Section(Repository.PathOf("docs/operations/OPERATIONS-RUNBOOK.md"), "read-logs");
        return [.. LogCommand().Matches(section).Select(match => match.Groups["filter"].Value)];
    }

    private static int Occurrences(string text, string value) => Regex.Matches(text, Regex.Escape(value)).Count;

    [GeneratedRegex("`kubectl logs [^`|]+\\| (?<filter>[^`]+)`")]
    private static partial Regex LogCommand();
}
