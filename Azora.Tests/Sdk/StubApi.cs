using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Azora.Tests.Sdk;

/// <summary>A request as the stub API received it.</summary>
internal sealed record StubRequest(HttpMethod Method, string Path, string? Authorization, string? IdempotencyKey, string Body);

/// <summary>
/// An API on the far side of an HttpClient, answering each request with a script, and keeping what it received: the
/// SDK's pipeline (retries, refreshes, keys) is tested against it without a stack, and without timing.
/// </summary>
internal sealed class StubApi(Func<StubRequest, Task<HttpResponseMessage>> answer) : HttpMessageHandler
{
    public static readonly Uri Address = new("http://azora.test");

    public ConcurrentQueue<StubRequest> Received { get; } = new();

    public IEnumerable<StubRequest> To(string path) => Received.Where(request => request.Path == path);

    /// <summary>Waits (a bounded number of short polls) for concurrent callers to reach the stub.</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string failure) =>
        Assert.True(await Eventually.ReadAsync(() => Task.FromResult(condition()), done => done, attempts: 400, TimeSpan.FromMilliseconds(25)), failure);

    public HttpClient CreateHttpClient() => new(this, disposeHandler: false) { BaseAddress = Address };

    public static HttpResponseMessage Json(HttpStatusCode status, object body) => new(status)
    {
        Content = new StringContent(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), Encoding.UTF8, "application/json"),
    };

    public static HttpResponseMessage Problem(HttpStatusCode status, string code, TimeSpan? retryAfter = null, DateTimeOffset? retryAt = null, object? errors = null)
    {
        var response = new HttpResponseMessage(status)
        {
            Content = new StringContent(
                JsonSerializer.Serialize(new { type = "about:blank", title = status.ToString(), status = (int)status, detail = $"{code} from the stub", code, traceId = "0af7651916cd43dd8448eb211c80319c", errors }, JsonSerializerOptions.Web),
                Encoding.UTF8, "application/problem+json"),
        };
        if (retryAfter is { } delta)
        {
            response.Headers.RetryAfter = new(delta);
        }

        if (retryAt is { } date)
        {
            response.Headers.RetryAfter = new(date);
        }

        return response;
    }

    /// <summary>A token answer, as login, register and refresh give.</summary>
    public static HttpResponseMessage Tokens(string accessToken, string refreshToken, int expiresIn = 900) => Json(HttpStatusCode.OK, new
    {
        accessToken, refreshToken, tokenType = "Bearer", expiresIn,
        user = new { id = Guid.NewGuid(), email = "ada@example.com", name = "Ada Lovelace", roles = new[] { "learner" } },
    });

    public static HttpResponseMessage Profile() => Json(HttpStatusCode.OK, new
    {
        id = Guid.NewGuid(), email = "ada@example.com", name = "Ada Lovelace", bio = (string?)null, roles = new[] { "learner" }, createdAt = DateTimeOffset.UnixEpoch,
    });

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var received = new StubRequest(
            request.Method, request.RequestUri!.AbsolutePath, request.Headers.Authorization?.ToString(),
            request.Headers.TryGetValues("Idempotency-Key", out var keys) ? keys.Single() : null,
            request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken));
        Received.Enqueue(received);
        var response = await answer(received);
        response.RequestMessage = request;
        return response;
    }
}

/// <summary>
/// A clock that moves only when told, and whose timers fire at once, moving the clock by their delay and keeping it:
/// a test sees how long the client would have waited, without waiting.
/// </summary>
internal sealed class ManualTime : TimeProvider
{
    private readonly Lock _gate = new();
    private DateTimeOffset _now = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);

    public ConcurrentQueue<TimeSpan> Waits { get; } = new();

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public void Advance(TimeSpan by)
    {
        lock (_gate)
        {
            _now += by;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new FiringTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    private sealed class FiringTimer(ManualTime time, TimerCallback callback, object? state) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            if (dueTime != Timeout.InfiniteTimeSpan)
            {
                time.Waits.Enqueue(dueTime);
                time.Advance(dueTime);
                ThreadPool.QueueUserWorkItem(_ => callback(state));
            }

            return true;
        }

        public void Dispose()
        {
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
