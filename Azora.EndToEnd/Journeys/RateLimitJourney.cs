using Azora.EndToEnd.Support;
using Xunit.Abstractions;

namespace Azora.EndToEnd.Journeys;

public sealed class RateLimitJourney(AzoraTarget target, ITestOutputHelper output) : Journey(target, output)
{
    [Fact]
    [Trait("Category", "Smoke")]
    public Task An_api_response_tells_the_caller_their_rate_limit() => RunAsync(async api =>
    {
        var response = (await api.GetAsync("/api/education/categories")).Expect(200);

        var limit = long.Parse(response.Header("X-RateLimit-Limit"));
        var remaining = long.Parse(response.Header("X-RateLimit-Remaining"));
        var reset = long.Parse(response.Header("X-RateLimit-Reset"));
        Assert.True(limit > 0, $"X-RateLimit-Limit {limit}");
        Assert.InRange(remaining, 0, limit - 1);
        // Compared with the server's own clock at the response, whatever the clock here says.
        Assert.True(reset >= DateTimeOffset.Parse(response.Header("Date")).ToUnixTimeSeconds(), $"X-RateLimit-Reset {reset} is before the response's Date.");
    });
}
