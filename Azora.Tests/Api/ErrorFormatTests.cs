using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Azora.Testing.Contract;
using Azora.Tests.Stack;
using Npgsql;

namespace Azora.Tests.Api;

/// <summary>Errors the framework makes, not the endpoints, still come in the API's problem format.</summary>
[Collection(StackCollection.Name)]
public class ErrorFormatTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task An_unknown_route_is_a_404_problem()
    {
        using var client = stack.CreateApiClient();

        using var response = await client.GetAsync("/api/no-such-thing");

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.NotFound, "NOT_FOUND");
    }

    [Fact]
    public async Task A_wrong_method_is_a_405_problem()
    {
        using var client = stack.CreateApiClient();

        using var response = await client.DeleteAsync("/api/auth/login");

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.MethodNotAllowed, "METHOD_NOT_ALLOWED");
    }

    [Theory]
    [InlineData("{\"email\": \"ada@example.com\", \"password\": ")]
    [InlineData("not json at all")]
    [InlineData("{\"email\": 42, \"password\": true}")]
    [InlineData("")]
    public async Task A_body_that_is_not_the_expected_json_is_a_400_problem(string body)
    {
        using var client = stack.CreateApiClient();

        using var response = await client.PostAsync("/api/auth/login", new StringContent(body, Encoding.UTF8, "application/json"));

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.BadRequest, "MALFORMED_REQUEST");
        Assert.DoesNotContain("   at ", problem.ToString());
    }

    [Fact]
    public async Task A_body_of_another_content_type_is_a_415_problem()
    {
        using var client = stack.CreateApiClient();

        using var response = await client.PostAsync("/api/auth/login", new StringContent("email=a&password=b", Encoding.UTF8, "application/x-www-form-urlencoded"));

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "UNSUPPORTED_MEDIA_TYPE");
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413_problem()
    {
        // As well-behaved clients of large uploads do: the refusal arrives before the body is sent, so the server's
        // closing the connection cannot race the upload. The client waits for the server's answer however slow the
        // machine is, instead of starting the upload after the default second.
        using var client = new HttpClient(new ContractValidatingHandler(new SocketsHttpHandler { Expect100ContinueTimeout = TimeSpan.FromMinutes(1) }))
        {
            BaseAddress = stack.App.GetEndpoint("api", "http"),
        };
        var oversized = "{\"email\":\"" + new string('a', 2 * 1024 * 1024) + "\"}";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/register") { Content = new StringContent(oversized, Encoding.UTF8, "application/json") };
        request.Headers.ExpectContinue = true;

        using var response = await client.SendAsync(request);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "PAYLOAD_TOO_LARGE");
    }

    [Fact]
    public async Task A_forbidden_or_bad_bearer_scheme_is_a_401_problem()
    {
        using var client = stack.CreateApiClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/auth/profile");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes("ada:secret")));

        using var response = await client.SendAsync(request);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.Unauthorized, "UNAUTHORIZED");
    }

    [Fact]
    public async Task An_unexpected_failure_is_a_500_problem_that_reveals_nothing_of_the_internals()
    {
        // A database without Azora's schema makes every account query fail in a way no endpoint expects.
        var unmigrated = await CreateEmptyDatabaseAsync();
        await using var api = await ApiInstance.StartAsync(stack, new Dictionary<string, string>(), databaseConnectionString: unmigrated);

        using var response = await api.Client.PostJsonAsync("/api/auth/login", new { email = "ada@example.com", password = TestAccounts.Password });

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.InternalServerError, "INTERNAL_ERROR");
        var text = problem.ToString();
        foreach (var secret in new[] { "users", "relation", "Npgsql", "   at ", "Exception", "Host=" })
        {
            Assert.DoesNotContain(secret, text);
        }

        Assert.Contains("Unhandled exception on POST /api/auth/login", api.Output);
    }

    [Fact]
    public async Task An_unreachable_database_is_a_503_problem_the_client_may_retry()
    {
        var builder = new NpgsqlConnectionStringBuilder(await stack.ConnectionStringAsync("azora"));
        var down = ApiInstance.UnreachableEndpoint().Split(':');
        builder.Host = down[0];
        builder.Port = int.Parse(down[1]);
        await using var api = await ApiInstance.StartAsync(stack, new Dictionary<string, string>(), databaseConnectionString: builder.ConnectionString);

        using var response = await api.Client.PostJsonAsync("/api/auth/login", new { email = "ada@example.com", password = TestAccounts.Password });

        var problem = await ProblemAssert.IsProblemAsync(response, HttpStatusCode.ServiceUnavailable, "SERVICE_UNAVAILABLE");
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        Assert.DoesNotContain(down[1], problem.ToString());
        using var metrics = await api.Client.GetAsync("/metrics");
        Assert.Matches("azora_database_unavailable_total(\\{[^}]*\\})? [1-9]", await metrics.Content.ReadAsStringAsync());
    }

    private async Task<string> CreateEmptyDatabaseAsync()
    {
        var builder = new NpgsqlConnectionStringBuilder(await stack.ConnectionStringAsync("azora"));
        var name = $"unmigrated_{Guid.NewGuid():N}";
        builder.Database = "postgres";
        await using (var connection = new NpgsqlConnection(builder.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await create.ExecuteNonQueryAsync();
        }

        builder.Database = name;
        return builder.ConnectionString;
    }
}
