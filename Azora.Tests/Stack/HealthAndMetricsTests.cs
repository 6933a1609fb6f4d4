using System.Net;
using System.Text.Json;

namespace Azora.Tests.Stack;

[Collection(StackCollection.Name)]
public class HealthAndMetricsTests(AzoraStackFixture stack)
{
    public static TheoryData<string> Services => ["api", "payments"];

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Health_is_ready_only_with_database_and_cache_checks_healthy(string service)
    {
        using var client = stack.App.CreateHttpClient(service);

        using var response = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Healthy", body.RootElement.GetProperty("status").GetString());
        var checks = body.RootElement.GetProperty("checks");
        Assert.Equal("Healthy", checks.GetProperty("PostgreSql").GetString());
        Assert.Equal("Healthy", checks.GetProperty("StackExchange.Redis").GetString());
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Alive_reports_the_process_only(string service)
    {
        using var client = stack.App.CreateHttpClient(service);

        using var response = await client.GetAsync("/alive");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var checks = body.RootElement.GetProperty("checks").EnumerateObject().Select(check => check.Name);
        Assert.Equal(["self"], checks);
    }

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Metrics_serve_prometheus_text_with_http_server_metrics_after_a_request(string service)
    {
        using var client = stack.App.CreateHttpClient(service);
        using (var request = await client.GetAsync("/"))
        {
            Assert.Equal(HttpStatusCode.OK, request.StatusCode);
        }

        // The exporter caches a scrape briefly; poll a bounded number of times for the request to show up.
        string text = string.Empty;
        for (var attempt = 0; attempt < 20 && !text.Contains("http_route=\"/\""); attempt++)
        {
            using var metrics = await client.GetAsync("/metrics");
            Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
            Assert.StartsWith("text/plain", metrics.Content.Headers.ContentType?.MediaType);
            text = await metrics.Content.ReadAsStringAsync();
            if (!text.Contains("http_route=\"/\""))
            {
                await Task.Delay(500);
            }
        }

        Assert.Contains("# TYPE http_server_request_duration_seconds histogram", text);
        Assert.Matches("http_server_request_duration_seconds_count\\{[^}]*http_route=\"/\"[^}]*\\} [1-9]", text);
        Assert.Contains($"service_name=\"{service}\"", text);
    }

    [Theory]
    [InlineData("api", 5080)]
    [InlineData("payments", 5081)]
    public void Test_runs_take_random_ports_so_a_running_local_stack_does_not_collide(string service, int developmentPort)
    {
        var endpoint = stack.App.GetEndpoint(service, "http");

        Assert.NotEqual(developmentPort, endpoint.Port);
    }
}
