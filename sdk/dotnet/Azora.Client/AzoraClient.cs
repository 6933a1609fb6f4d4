using System.Globalization;
using System.Runtime.CompilerServices;
using Azora.Client.Generated;
using Azora.Client.Generated.Models;
using Azora.Client.Http;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Abstractions.Serialization;
using Microsoft.Kiota.Http.HttpClientLibrary;

namespace Azora.Client;

/// <summary>
/// The Azora API for .NET: sign-in with tokens kept and refreshed for you, or an API key; one exception
/// (<see cref="AzoraApiException"/>) for every error answer; lists as pages or as every item; 429s waited out; and
/// methods for the common operations. Everything else is one step away in <see cref="Api"/>, the client generated
/// from the OpenAPI document, which goes through the same pipeline. Safe to use from several threads at once.
/// </summary>
public sealed partial class AzoraClient : IDisposable
{
    /// <summary>The name of the HttpClient that <c>services.AddAzoraClient(…)</c> registers, for configuring it further.</summary>
    public const string HttpClientName = "Azora.Client";

    /// <summary>Where the client goes when neither the options nor the HttpClient give a base address.</summary>
    public static readonly Uri ProductionAddress = new("https://api.azora.world");

    private readonly HttpClient _pipeline;
    private readonly HttpClientRequestAdapter _adapter;
    private readonly SessionKeeper _sessions;
    private readonly TimeProvider _time;
    private readonly HttpClient? _ownedHttpClient;

    /// <summary>A client that sends through <paramref name="httpClient"/> (not disposed with the client) to its
    /// <see cref="HttpClient.BaseAddress"/>, or to <see cref="AzoraClientOptions.BaseAddress"/> when that is set.</summary>
    public AzoraClient(HttpClient httpClient, AzoraClientOptions? options = null)
        : this(SendingThrough(httpClient), options?.BaseAddress ?? httpClient.BaseAddress, options ?? new())
    {
    }

    /// <summary>A client with an HttpClient of its own, disposed with it.</summary>
    public AzoraClient(Uri baseAddress, AzoraClientOptions? options = null)
        : this(new HttpClient(), baseAddress, options)
    {
    }

    private AzoraClient(HttpClient owned, Uri baseAddress, AzoraClientOptions? options)
        : this(() => owned, baseAddress, options ?? new())
    {
        _ownedHttpClient = owned;
    }

    /// <summary>A client that asks <paramref name="httpClient"/> for the HttpClient of each attempt (an
    /// IHttpClientFactory's CreateClient, so its handlers are renewed as the factory intends).</summary>
    internal AzoraClient(Func<HttpClient> httpClient, Uri? baseAddress, AzoraClientOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxRateLimitRetries);
        _time = options.TimeProvider;
        _sessions = new SessionKeeper(_time, options.TokenRefreshMargin) { ApiKey = options.ApiKey };
        _sessions.Changed += session => SessionChanged?.Invoke(this, session);

        // Outermost first: errors become exceptions after everything inside had its chance; the idempotency key is
        // fixed before any retry; 429s are waited out around the token handling, so each retry has a fresh token.
        var pipeline = new ProblemHandler(_time)
        {
            InnerHandler = new IdempotencyHandler
            {
                InnerHandler = new RateLimitHandler(options)
                {
                    InnerHandler = new AuthenticationHandler(_sessions) { InnerHandler = new ForwardingHandler(httpClient) },
                },
            },
        };
        var address = baseAddress ?? ProductionAddress;
        _pipeline = new HttpClient(pipeline) { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
        _adapter = new HttpClientRequestAdapter(new AnonymousAuthenticationProvider(), httpClient: _pipeline) { BaseUrl = address.ToString() };
        Api = new AzoraApiClient(_adapter);
        _sessions.Refresher = refreshToken => SessionFromAsync(SendAsync(
            Method.POST, "/api/auth/refresh", new JsonBody(("refreshToken", refreshToken)), TokenResponse.CreateFromDiscriminatorValue, cancellationToken: CancellationToken.None));
    }

    /// <summary>
    /// The whole API as generated from its OpenAPI document (request builders by path, e.g.
    /// <c>client.Api.Api.Education.Courses["sql-for-analysts"].GetAsync()</c>), through the same pipeline as the
    /// methods of this class: credentials, refresh, 429 retries, <see cref="AzoraApiException"/>.
    /// </summary>
    public AzoraApiClient Api { get; }

    /// <summary>The base address requests go to.</summary>
    public Uri BaseAddress => _pipeline.BaseAddress!;

    /// <inheritdoc />
    public void Dispose()
    {
        _adapter.Dispose();
        _pipeline.Dispose();
        _ownedHttpClient?.Dispose();
    }

    private static Func<HttpClient> SendingThrough(HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(httpClient);
        return () => httpClient;
    }

    private static T Required<T>(T? value, [CallerMemberName] string operation = "")
        where T : class =>
        value ?? throw new InvalidOperationException($"{operation}: the API answered without a body.");

    /// <summary>
    /// Sends a request with a body to an operation's path (its route values already in it), so that the body is
    /// written from the contract's member names (<see cref="JsonBody"/>); the answer is read into the generated model.
    /// </summary>
    private Task<TResponse?> SendAsync<TResponse>(
        Method method, string path, JsonBody body, ParsableFactory<TResponse> factory, Action<RequestInformation>? configure = null, CancellationToken cancellationToken = default)
        where TResponse : IParsable
    {
        var request = new RequestInformation(method, "{+baseurl}" + path, new Dictionary<string, object>());
        request.Headers.TryAdd("Accept", "application/json");
        request.SetContentFromParsable(_adapter, "application/json", body);
        configure?.Invoke(request);
        return _adapter.SendAsync(request, factory, cancellationToken: cancellationToken);
    }

    /// <summary>One page of a paginated list, asked for by the contract's query parameter names.</summary>
    private async Task<AzoraPage<TItem>> PageAsync<TResponse, TItem>(
        RequestInformation request, IEnumerable<KeyValuePair<string, object?>> query, int page, int limit,
        ParsableFactory<TResponse> factory, Func<TResponse, List<TItem>?> items, Func<TResponse, Pagination?> pagination,
        CancellationToken cancellationToken)
        where TResponse : IParsable
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(page, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        request.QueryParameters["page"] = page.ToString(CultureInfo.InvariantCulture);
        request.QueryParameters["limit"] = limit.ToString(CultureInfo.InvariantCulture);
        foreach (var (name, value) in query)
        {
            if (value is not null)
            {
                request.QueryParameters[name] = value;
            }
        }

        var answer = await _adapter.SendAsync(request, factory, cancellationToken: cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The API answered a list without a body.");
        var paging = pagination(answer) ?? throw new InvalidOperationException("The API answered a list without pagination.");
        return new AzoraPage<TItem>(
            items(answer) ?? [], paging.Page ?? page, paging.Limit ?? limit, paging.Total ?? 0, paging.Pages ?? 0);
    }

    /// <summary>Every item of a paginated list, page after page, until the last.</summary>
    private static async IAsyncEnumerable<TItem> EveryItemAsync<TItem>(
        Func<int, CancellationToken, Task<AzoraPage<TItem>>> pageAsync, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var page = 1; ; page++)
        {
            var current = await pageAsync(page, cancellationToken).ConfigureAwait(false);
            foreach (var item in current.Items)
            {
                yield return item;
            }

            if (current.Items.Count == 0 || page >= current.Pages)
            {
                yield break;
            }
        }
    }
}
