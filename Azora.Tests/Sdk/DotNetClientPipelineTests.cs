using System.Net;
using Azora.Client;

namespace Azora.Tests.Sdk;

/// <summary>
/// Azora.Client's request pipeline against a scripted API: 429s waited out and then thrown, the Idempotency-Key kept
/// across retries, access tokens refreshed before expiry and after a 401 with one refresh for concurrent callers, and
/// every error answer as one exception.
/// </summary>
public sealed class DotNetClientPipelineTests
{
    private const string Profile = "/api/auth/profile", Login = "/api/auth/login", Refresh = "/api/auth/refresh", PaymentIntent = "/api/pay/payment-intent";

    private readonly ManualTime _time = new();

    private AzoraClient Client(StubApi api, AzoraClientOptions? options = null)
    {
        options ??= new AzoraClientOptions();
        options.TimeProvider = _time;
        return new AzoraClient(api.CreateHttpClient(), options);
    }

    [Fact]
    public async Task A_429_is_sent_again_after_its_Retry_After()
    {
        var calls = 0;
        var api = new StubApi(_ => Task.FromResult(Interlocked.Increment(ref calls) == 1
            ? StubApi.Problem(HttpStatusCode.TooManyRequests, "RATE_LIMIT_EXCEEDED", retryAfter: TimeSpan.FromSeconds(7))
            : StubApi.Profile()));
        using var client = Client(api);

        var profile = await client.GetProfileAsync();

        Assert.Equal("ada@example.com", profile.Email);
        Assert.Equal(2, api.To(Profile).Count());
        Assert.Equal([TimeSpan.FromSeconds(7)], _time.Waits);
    }

    [Fact]
    public async Task A_Retry_After_given_as_a_date_is_waited_until_that_date()
    {
        var calls = 0;
        var api = new StubApi(_ => Task.FromResult(Interlocked.Increment(ref calls) == 1
            ? StubApi.Problem(HttpStatusCode.TooManyRequests, "RATE_LIMIT_EXCEEDED", retryAt: _time.GetUtcNow().AddSeconds(12))
            : StubApi.Profile()));
        using var client = Client(api);

        await client.GetProfileAsync();

        Assert.Equal([TimeSpan.FromSeconds(12)], _time.Waits);
    }

    [Fact]
    public async Task Retries_stop_at_the_maximum_and_the_429_is_thrown()
    {
        var api = new StubApi(_ => Task.FromResult(StubApi.Problem(HttpStatusCode.TooManyRequests, "RATE_LIMIT_EXCEEDED", retryAfter: TimeSpan.FromSeconds(1))));
        using var client = Client(api, new AzoraClientOptions { MaxRateLimitRetries = 2 });

        var problem = await Assert.ThrowsAsync<AzoraApiException>(() => client.GetProfileAsync());

        Assert.Equal(429, problem.Status);
        Assert.Equal("RATE_LIMIT_EXCEEDED", problem.Code);
        Assert.Equal(TimeSpan.FromSeconds(1), problem.RetryAfter);
        Assert.Equal(3, api.To(Profile).Count());
        Assert.Equal(2, _time.Waits.Count);
    }

    [Fact]
    public async Task A_Retry_After_longer_than_the_longest_wait_is_thrown_at_once()
    {
        var api = new StubApi(_ => Task.FromResult(StubApi.Problem(HttpStatusCode.TooManyRequests, "RATE_LIMIT_EXCEEDED", retryAfter: TimeSpan.FromMinutes(30))));
        using var client = Client(api, new AzoraClientOptions { MaxRetryAfter = TimeSpan.FromMinutes(1) });

        var problem = await Assert.ThrowsAsync<AzoraApiException>(() => client.GetProfileAsync());

        Assert.Equal(TimeSpan.FromMinutes(30), problem.RetryAfter);
        Assert.Single(api.Received);
        Assert.Empty(_time.Waits);
    }

    [Fact]
    public async Task With_retries_turned_off_the_first_429_is_thrown()
    {
        var api = new StubApi(_ => Task.FromResult(StubApi.Problem(HttpStatusCode.TooManyRequests, "RATE_LIMIT_EXCEEDED", retryAfter: TimeSpan.FromSeconds(1))));
        using var client = Client(api, new AzoraClientOptions { MaxRateLimitRetries = 0 });

        await Assert.ThrowsAsync<AzoraApiException>(() => client.GetProfileAsync());

        Assert.Single(api.Received);
    }

    [Fact]
    public async Task A_payment_intent_gets_one_idempotency_key_which_its_retries_repeat_with_the_same_body()
    {
        var calls = 0;
        var api = new StubApi(_ => Task.FromResult(Interlocked.Increment(ref calls) <= 2
            ? StubApi.Problem(HttpStatusCode.TooManyRequests, "RATE_LIMIT_EXCEEDED", retryAfter: TimeSpan.FromSeconds(1))
            : StubApi.Json(HttpStatusCode.Created, new { paymentId = Guid.NewGuid(), paymentIntentId = "pi_1", clientSecret = "pi_1_secret", amount = 4900, currency = "USD", status = "pending" })));
        using var client = Client(api);
        var courseId = Guid.NewGuid();

        var intent = await client.CreatePaymentIntentAsync(courseId);

        Assert.Equal("pi_1", intent.PaymentIntentId);
        var attempts = api.To(PaymentIntent).ToList();
        Assert.Equal(3, attempts.Count);
        Assert.True(Guid.TryParse(attempts[0].IdempotencyKey, out _), $"not a generated key: '{attempts[0].IdempotencyKey}'");
        Assert.All(attempts, attempt => Assert.Equal(attempts[0].IdempotencyKey, attempt.IdempotencyKey));
        Assert.All(attempts, attempt => Assert.Equal(attempts[0].Body, attempt.Body));
        Assert.Contains(courseId.ToString(), attempts[0].Body);
    }

    [Fact]
    public async Task A_given_idempotency_key_is_sent_and_each_call_without_one_gets_its_own()
    {
        var api = new StubApi(_ => Task.FromResult(StubApi.Json(HttpStatusCode.Created, new { paymentId = Guid.NewGuid(), paymentIntentId = "pi_1", clientSecret = "s", amount = 4900, currency = "USD", status = "pending" })));
        using var client = Client(api);

        await client.CreatePaymentIntentAsync(Guid.NewGuid(), idempotencyKey: "checkout-42");
        await client.CreatePaymentIntentAsync(Guid.NewGuid());
        await client.CreatePaymentIntentAsync(Guid.NewGuid());
        // The generated client goes through the same pipeline, so it gets a key too.
        await client.Api.Api.Pay.PaymentIntent.PostAsync(new() { CourseId = Guid.NewGuid() });

        var keys = api.To(PaymentIntent).Select(request => request.IdempotencyKey).ToList();
        Assert.Equal("checkout-42", keys[0]);
        Assert.All(keys, key => Assert.False(string.IsNullOrEmpty(key)));
        Assert.Equal(4, keys.Distinct().Count());
    }

    [Fact]
    public async Task An_access_token_about_to_expire_is_refreshed_before_the_request_and_a_fresh_one_is_not()
    {
        var api = new StubApi(request => Task.FromResult(request.Path switch
        {
            Login => StubApi.Tokens("access-1", "refresh-1", expiresIn: 900),
            Refresh => StubApi.Tokens("access-2", "refresh-2", expiresIn: 900),
            _ => StubApi.Profile(),
        }));
        using var client = Client(api, new AzoraClientOptions { TokenRefreshMargin = TimeSpan.FromSeconds(30) });
        var changes = new List<AzoraSession?>();
        client.SessionChanged += (_, session) => changes.Add(session);

        await client.SignInAsync("ada@example.com", "a-lantern-by-the-river-2026");
        _time.Advance(TimeSpan.FromSeconds(860));
        await client.GetProfileAsync();
        Assert.Empty(api.To(Refresh));

        _time.Advance(TimeSpan.FromSeconds(20));
        await client.GetProfileAsync();

        var refresh = Assert.Single(api.To(Refresh));
        Assert.Contains("refresh-1", refresh.Body);
        Assert.Null(refresh.Authorization);
        Assert.Equal(["Bearer access-1", "Bearer access-2"], api.To(Profile).Select(request => request.Authorization));
        Assert.Equal(["access-1", "access-2"], changes.Select(session => session!.AccessToken));
        Assert.Equal("refresh-2", client.Session!.RefreshToken);
        Assert.Null(Assert.Single(api.To(Login)).Authorization);
    }

    [Fact]
    public async Task Concurrent_requests_with_an_expired_token_share_one_refresh()
    {
        var release = new TaskCompletionSource();
        var api = new StubApi(async request =>
        {
            switch (request.Path)
            {
                case Login:
                    return StubApi.Tokens("access-1", "refresh-1");
                case Refresh:
                    await release.Task;
                    return StubApi.Tokens("access-2", "refresh-2");
                default:
                    return StubApi.Profile();
            }
        });
        using var client = Client(api);
        await client.SignInAsync("ada@example.com", "a-lantern-by-the-river-2026");
        _time.Advance(TimeSpan.FromMinutes(20));

        var calls = Enumerable.Range(0, 8).Select(_ => client.GetProfileAsync()).ToList();
        await StubApi.WaitUntilAsync(() => api.To(Refresh).Any(), "the refresh was never sent");
        release.SetResult();
        await Task.WhenAll(calls);

        Assert.Single(api.To(Refresh));
        Assert.Equal(8, api.To(Profile).Count());
        Assert.All(api.To(Profile), request => Assert.Equal("Bearer access-2", request.Authorization));
    }

    [Fact]
    public async Task A_401_is_refreshed_once_and_the_request_sent_again_with_the_new_token()
    {
        var api = new StubApi(request => Task.FromResult(request.Path switch
        {
            Login => StubApi.Tokens("access-1", "refresh-1"),
            Refresh => StubApi.Tokens("access-2", "refresh-2"),
            _ when request.Authorization == "Bearer access-1" => StubApi.Problem(HttpStatusCode.Unauthorized, "UNAUTHORIZED"),
            _ => StubApi.Profile(),
        }));
        using var client = Client(api);
        await client.SignInAsync("ada@example.com", "a-lantern-by-the-river-2026");

        await client.GetProfileAsync();

        Assert.Single(api.To(Refresh));
        Assert.Equal(["Bearer access-1", "Bearer access-2"], api.To(Profile).Select(request => request.Authorization));
    }

    [Fact]
    public async Task A_401_to_the_refreshed_token_too_is_thrown_after_one_refresh()
    {
        var refreshes = 0;
        var api = new StubApi(request => Task.FromResult(request.Path switch
        {
            Login => StubApi.Tokens("access-1", "refresh-1"),
            Refresh => StubApi.Tokens($"access-{Interlocked.Increment(ref refreshes) + 1}", "refresh-next"),
            _ => StubApi.Problem(HttpStatusCode.Unauthorized, "UNAUTHORIZED"),
        }));
        using var client = Client(api);
        await client.SignInAsync("ada@example.com", "a-lantern-by-the-river-2026");

        var problem = await Assert.ThrowsAsync<AzoraApiException>(() => client.GetProfileAsync());

        Assert.Equal("UNAUTHORIZED", problem.Code);
        Assert.Single(api.To(Refresh));
        Assert.Equal(2, api.To(Profile).Count());
    }

    [Fact]
    public async Task Concurrent_401s_share_one_refresh()
    {
        var release = new TaskCompletionSource();
        var api = new StubApi(async request =>
        {
            if (request.Path == Login)
            {
                return StubApi.Tokens("access-1", "refresh-1");
            }

            if (request.Path == Refresh)
            {
                await release.Task;
                return StubApi.Tokens("access-2", "refresh-2");
            }

            return request.Authorization == "Bearer access-1" ? StubApi.Problem(HttpStatusCode.Unauthorized, "UNAUTHORIZED") : StubApi.Profile();
        });
        using var client = Client(api);
        await client.SignInAsync("ada@example.com", "a-lantern-by-the-river-2026");

        var calls = Enumerable.Range(0, 6).Select(_ => client.GetProfileAsync()).ToList();
        await StubApi.WaitUntilAsync(() => api.To(Profile).Count() == 6, "not every request was sent with the old token");
        release.SetResult();
        await Task.WhenAll(calls);

        Assert.Single(api.To(Refresh));
        Assert.Equal(6, api.To(Profile).Count(request => request.Authorization == "Bearer access-2"));
    }

    [Fact]
    public async Task A_refused_refresh_ends_the_session_and_is_thrown()
    {
        var api = new StubApi(request => Task.FromResult(request.Path switch
        {
            Login => StubApi.Tokens("access-1", "refresh-1"),
            Refresh => StubApi.Problem(HttpStatusCode.Unauthorized, "INVALID_REFRESH_TOKEN"),
            _ => StubApi.Problem(HttpStatusCode.Unauthorized, "UNAUTHORIZED"),
        }));
        using var client = Client(api);
        await client.SignInAsync("ada@example.com", "a-lantern-by-the-river-2026");
        AzoraSession? last = client.Session;
        client.SessionChanged += (_, session) => last = session;

        var problem = await Assert.ThrowsAsync<AzoraApiException>(() => client.GetProfileAsync());

        Assert.Equal("INVALID_REFRESH_TOKEN", problem.Code);
        Assert.Null(client.Session);
        Assert.Null(last);
        // Signed out now: the next request goes without a token, and its 401 is not refreshed.
        var anonymous = await Assert.ThrowsAsync<AzoraApiException>(() => client.GetProfileAsync());
        Assert.Equal("UNAUTHORIZED", anonymous.Code);
        Assert.Null(api.To(Profile).Last().Authorization);
        Assert.Single(api.To(Refresh));
    }

    [Fact]
    public async Task An_api_key_is_sent_as_the_bearer_and_its_401_is_not_refreshed()
    {
        var api = new StubApi(_ => Task.FromResult(StubApi.Problem(HttpStatusCode.Unauthorized, "UNAUTHORIZED")));
        using var client = Client(api, new AzoraClientOptions { ApiKey = "azk_test" });

        var problem = await Assert.ThrowsAsync<AzoraApiException>(() => client.GetWebhookAsync(Guid.NewGuid()));

        Assert.Equal(401, problem.Status);
        Assert.Equal("Bearer azk_test", Assert.Single(api.Received).Authorization);
    }

    [Fact]
    public async Task A_problem_becomes_an_AzoraApiException_with_every_member()
    {
        var api = new StubApi(_ => Task.FromResult(StubApi.Problem(
            HttpStatusCode.BadRequest, "VALIDATION_ERROR", errors: new Dictionary<string, string[]> { ["email"] = ["Enter an email address."], ["lessons[1].title"] = ["Too long.", "Not printable."] })));
        using var client = Client(api);

        var problem = await Assert.ThrowsAsync<AzoraApiException>(() => client.UpdateProfileAsync(name: ""));

        Assert.Equal(400, problem.Status);
        Assert.Equal("VALIDATION_ERROR", problem.Code);
        Assert.Equal("BadRequest", problem.Title);
        Assert.Equal("VALIDATION_ERROR from the stub", problem.Detail);
        Assert.Equal("0af7651916cd43dd8448eb211c80319c", problem.TraceId);
        Assert.Equal(["Enter an email address."], problem.Errors["email"]);
        Assert.Equal(["Too long.", "Not printable."], problem.Errors["lessons[1].title"]);
        Assert.Contains("VALIDATION_ERROR", problem.Message);
        Assert.Contains("lessons[1].title", problem.Message);
    }

    [Fact]
    public async Task An_error_that_is_not_a_problem_still_becomes_an_AzoraApiException()
    {
        var api = new StubApi(_ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.BadGateway)
        {
            ReasonPhrase = "Bad Gateway",
            Content = new StringContent("<html>upstream down</html>", System.Text.Encoding.UTF8, "text/html"),
        }));
        using var client = Client(api);

        var problem = await Assert.ThrowsAsync<AzoraApiException>(() => client.ListCategoriesAsync());

        Assert.Equal(502, problem.Status);
        Assert.Null(problem.Code);
        Assert.Equal("Bad Gateway", problem.Title);
        Assert.Empty(problem.Errors);
    }

    [Fact]
    public async Task Every_item_of_a_list_is_enumerated_across_pages_with_the_page_asked_for()
    {
        var pages = new Dictionary<int, string[]> { [1] = ["a", "b"], [2] = ["c", "d"], [3] = ["e"] };
        var asked = new List<string>();
        using var http = new HttpClient(new QueryEcho(asked, pages)) { BaseAddress = StubApi.Address };
        using var client = new AzoraClient(http);

        var titles = new List<string>();
        await foreach (var course in client.ListAllCoursesAsync(new CourseFilter { Free = true, Search = "sql joins" }, pageSize: 2))
        {
            titles.Add(course.Title!);
        }

        Assert.Equal(["a", "b", "c", "d", "e"], titles);
        Assert.Equal(3, asked.Count);
        Assert.All(asked, query => Assert.Contains("limit=2", query));
        Assert.All(asked, query => Assert.Contains("free=true", query));
        Assert.All(asked, query => Assert.Contains("q=sql%20joins", query));
        Assert.Contains("page=3", asked[2]);
    }

    /// <summary>Answers the course list from <paramref name="pages"/> by the query's page, and keeps each query.</summary>
    private sealed class QueryEcho(List<string> asked, Dictionary<int, string[]> pages) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var query = request.RequestUri!.Query;
            asked.Add(query);
            var page = int.Parse(System.Web.HttpUtility.ParseQueryString(query)["page"]!);
            var items = pages.GetValueOrDefault(page, []).Select(title => new { id = Guid.NewGuid(), title });
            return Task.FromResult(StubApi.Json(HttpStatusCode.OK, new { data = items, pagination = new { page, limit = 2, total = 5, pages = 3 } }));
        }
    }
}
