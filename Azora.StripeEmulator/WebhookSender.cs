using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Azora.StripeEmulator;

/// <summary>An event as sent: its id, its type and the JSON body every attempt carries.</summary>
public sealed record StripeEvent(string Id, string Type, string Payload);

/// <summary>
/// Settings under <c>Emulator:WebhookRetry</c>: how a delivery that did not get a 2xx is tried again. Stripe retries for
/// up to three days with a growing delay; the emulator keeps the window and shortens the delays, so a local worker that
/// was down gets its events within a minute of coming back.
/// </summary>
public sealed class WebhookRetryOptions
{
    public const string Section = "Emulator:WebhookRetry";

    public TimeSpan FirstDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaximumDelay { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan GiveUpAfter { get; set; } = TimeSpan.FromDays(3);

    /// <summary>How long one attempt waits for the endpoint's answer.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>
/// Sends events the way Stripe does: JSON body, <c>Stripe-Signature: t=…,v1=HMAC-SHA256(secret, "t.body")</c>, signed
/// anew at each attempt. Like Stripe, it never makes the call that caused the event wait: <see cref="Send"/> records the
/// event and returns, and each copy is delivered in the background, tried again with a doubling delay until the endpoint
/// answers 2xx or <see cref="WebhookRetryOptions.GiveUpAfter"/> has passed. Every attempt is kept in
/// <see cref="EmulatorState"/> (<c>GET /emulator/events/{id}</c>).
/// </summary>
public sealed class WebhookSender : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    // Its own client, without the service defaults' resilience handler: the retries are these, each one recorded.
    private readonly HttpClient _http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) }) { Timeout = Timeout.InfiniteTimeSpan };
    private readonly EmulatorState _state;
    private readonly IConfiguration _configuration;
    private readonly ILogger<WebhookSender> _logger;
    private readonly TimeProvider _time;
    private readonly CancellationToken _stopping;

    public WebhookSender(EmulatorState state, IConfiguration configuration, ILogger<WebhookSender> logger, IHostApplicationLifetime lifetime, TimeProvider time)
    {
        _state = state;
        _configuration = configuration;
        _logger = logger;
        _time = time;
        _stopping = lifetime.ApplicationStopping;
    }

    public static StripeEvent Event(string type, object dataObject)
    {
        var id = EmulatorState.NewId("evt");
        return new StripeEvent(id, type, JsonSerializer.Serialize(new
        {
            id,
            @object = "event",
            api_version = Stripe.StripeConfiguration.ApiVersion,
            created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            data = new { @object = dataObject },
            livemode = false,
            pending_webhooks = 1,
            request = new { id = (string?)null, idempotency_key = (string?)null },
            type,
        }, Json));
    }

    public static string Sign(string payload, string secret, long timestamp)
    {
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{payload}"));
        return $"t={timestamp},v1={Convert.ToHexString(signature).ToLowerInvariant()}";
    }

    /// <summary>
    /// Records the event and starts <paramref name="copies"/> deliveries of it at once (0: the webhook is lost); returns
    /// without waiting for any of them.
    /// </summary>
    public EventRecord Send(StripeEvent stripeEvent, int copies = 1)
    {
        var url = _configuration["Emulator:WebhookUrl"];
        var secret = _configuration["Emulator:WebhookSecret"];
        if (string.IsNullOrEmpty(url) || string.IsNullOrEmpty(secret))
        {
            _logger.LogWarning("No Emulator:WebhookUrl/WebhookSecret; event {EventId} not delivered", stripeEvent.Id);
            copies = 0;
        }

        var record = _state.KeepEvent(stripeEvent, copies);
        var retry = _configuration.GetSection(WebhookRetryOptions.Section).Get<WebhookRetryOptions>() ?? new WebhookRetryOptions();
        foreach (var delivery in record.Deliveries)
        {
            _ = Task.Run(() => DeliverAsync(stripeEvent, delivery, new Uri(url!), secret!, retry));
        }

        return record;
    }

    private async Task DeliverAsync(StripeEvent stripeEvent, DeliveryRecord delivery, Uri url, string secret, WebhookRetryOptions retry)
    {
        var giveUpAt = _time.GetUtcNow() + retry.GiveUpAfter;
        var delay = retry.FirstDelay;
        while (!_stopping.IsCancellationRequested)
        {
            var status = await AttemptAsync(stripeEvent, url, secret, retry.AttemptTimeout);
            delivery.Attempted(status);
            if (status is >= 200 and < 300)
            {
                return;
            }

            if (_time.GetUtcNow() + delay > giveUpAt)
            {
                _logger.LogWarning("Gave up delivering event {EventId} to {Url} after {Attempts} attempts", stripeEvent.Id, url, delivery.Attempts.Length);
                delivery.GiveUp();
                return;
            }

            try
            {
                await Task.Delay(delay, _time, _stopping);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, retry.MaximumDelay.Ticks));
        }
    }

    /// <summary>One attempt: the endpoint's status, or 0 when it could not be reached or did not answer in time.</summary>
    private async Task<int> AttemptAsync(StripeEvent stripeEvent, Uri url, string secret, TimeSpan timeout)
    {
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(_stopping);
        attempt.CancelAfter(timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(stripeEvent.Payload, Encoding.UTF8, "application/json") };
            request.Headers.Add("Stripe-Signature", Sign(stripeEvent.Payload, secret, _time.GetUtcNow().ToUnixTimeSeconds()));
            using var response = await _http.SendAsync(request, attempt.Token);
            return (int)response.StatusCode;
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            _logger.LogWarning("Webhook delivery of {EventId} to {Url} failed: {Reason}", stripeEvent.Id, url, ex.Message);
            return 0;
        }
    }

    public void Dispose() => _http.Dispose();
}
