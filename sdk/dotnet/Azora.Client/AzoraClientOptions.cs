namespace Azora.Client;

/// <summary>How an <see cref="AzoraClient"/> reaches the API and behaves when it pushes back.</summary>
public sealed class AzoraClientOptions
{
    /// <summary>
    /// The API's base address, e.g. <c>https://api.azora.world</c>, <c>http://localhost:5080</c>, or, in an Aspire
    /// application with service discovery, <c>https+http://api</c>. When null, the HttpClient's
    /// <see cref="HttpClient.BaseAddress"/>, and without one the production address.
    /// </summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>A partner API key (<c>azk_…</c>) to send instead of a signed-in user's access token.</summary>
    public string? ApiKey { get; set; }

    /// <summary>How many times a request answered <c>429 Too Many Requests</c> is sent again (after waiting its
    /// <c>Retry-After</c>) before the 429 is thrown as an <see cref="AzoraApiException"/>. 0 turns retries off.</summary>
    public int MaxRateLimitRetries { get; set; } = 3;

    /// <summary>The longest <c>Retry-After</c> the client waits out; a 429 asking for longer is thrown at once.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long before its expiry an access token is refreshed, ahead of the request that would have used it.</summary>
    public TimeSpan TokenRefreshMargin { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The clock for token expiry and for the waits between retries (a fake one in tests).</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
