namespace Azora.Client.Http;

/// <summary>
/// The credential of one <see cref="AzoraClient"/>: an API key, or a session whose access token is refreshed shortly
/// before it expires and once after a 401. Concurrent requests that find the token stale share one refresh: a
/// refresh token is good for one exchange, and two parallel exchanges of it look like theft and close the session.
/// </summary>
internal sealed class SessionKeeper(TimeProvider time, TimeSpan refreshMargin)
{
    private readonly object _gate = new();
    private AzoraSession? _session;
    private string? _apiKey;
    private Task<AzoraSession?>? _refreshing;

    /// <summary>Exchanges a refresh token for a new session (set by the client: it calls the API).</summary>
    public Func<string, Task<AzoraSession>>? Refresher { get; set; }

    /// <summary>Raised after the session changed: signed in, refreshed, restored, signed out or refused.</summary>
    public event Action<AzoraSession?>? Changed;

    public AzoraSession? Session
    {
        get
        {
            lock (_gate)
            {
                return _session;
            }
        }
    }

    public string? ApiKey
    {
        get
        {
            lock (_gate)
            {
                return _apiKey;
            }
        }

        set
        {
            lock (_gate)
            {
                _apiKey = value;
            }
        }
    }

    public void Set(AzoraSession? session)
    {
        lock (_gate)
        {
            _session = session;
        }

        Changed?.Invoke(session);
    }

    /// <summary>The bearer to send (an API key, a fresh access token, or none) and the session it came from.</summary>
    public async ValueTask<(string? Bearer, AzoraSession? From)> GetBearerAsync(CancellationToken cancellationToken)
    {
        AzoraSession? session;
        lock (_gate)
        {
            if (_apiKey is not null)
            {
                return (_apiKey, null);
            }

            session = _session;
        }

        if (session is not null && time.GetUtcNow() >= session.ExpiresAt - refreshMargin)
        {
            session = await RefreshAsync(session, cancellationToken).ConfigureAwait(false);
        }

        return (session?.AccessToken, session);
    }

    /// <summary>
    /// Replaces <paramref name="stale"/> with a refreshed session: joins the refresh under way, or returns the
    /// session that already replaced it, or starts the one refresh. A refused refresh (401) ends the session and is
    /// thrown to every caller waiting for it.
    /// </summary>
    public async Task<AzoraSession?> RefreshAsync(AzoraSession stale, CancellationToken cancellationToken)
    {
        Task<AzoraSession?> refreshing;
        lock (_gate)
        {
            if (_refreshing is { IsCompleted: false })
            {
                refreshing = _refreshing;
            }
            else if (!ReferenceEquals(_session, stale))
            {
                return _session;
            }
            else
            {
                // Task.Run: the refresh never completes inside this lock, so _refreshing always names the one under way.
                refreshing = _refreshing = Task.Run(() => ExchangeAsync(stale));
            }
        }

        // One caller giving up does not cancel the refresh the others wait for.
        return await refreshing.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<AzoraSession?> ExchangeAsync(AzoraSession stale)
    {
        var refresher = Refresher ?? throw new InvalidOperationException("No refresher is set.");
        try
        {
            var fresh = await refresher(stale.RefreshToken).ConfigureAwait(false);
            Replace(stale, fresh);
            return fresh;
        }
        catch (AzoraApiException refused) when (refused.Status == 401)
        {
            Replace(stale, null);
            throw;
        }
    }

    private void Replace(AzoraSession stale, AzoraSession? next)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_session, stale))
            {
                return;
            }

            _session = next;
        }

        Changed?.Invoke(next);
    }
}
