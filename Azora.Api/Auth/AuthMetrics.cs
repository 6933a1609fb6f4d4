using System.Diagnostics.Metrics;

namespace Azora.Api.Auth;

/// <summary>Counters under the <c>Azora.Api.Auth</c> meter, exported on /metrics.</summary>
public sealed class AuthMetrics
{
    public const string MeterName = "Azora.Api.Auth";

    private readonly Counter<long> _logins;
    private readonly Counter<long> _denylistFallbacks;
    private readonly Counter<long> _denylistRebuilds;

    public AuthMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _logins = meter.CreateCounter<long>("azora.auth.logins", description: "Login attempts by outcome.");
        _denylistFallbacks = meter.CreateCounter<long>(
            "azora.auth.denylist_fallbacks",
            description: "Token revocation checks that read PostgreSQL: this replica's Redis subscription was down or unproven, or its revoked sessions not yet reloaded after an outage.");
        _denylistRebuilds = meter.CreateCounter<long>(
            "azora.auth.denylist_rebuilds", description: "Times this replica reloaded its revoked sessions from PostgreSQL and trusted its memory again (start, reconnect, failed publish).");
    }

    public void Login(string outcome) => _logins.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void DenylistFallback() => _denylistFallbacks.Add(1);

    public void DenylistRebuilt() => _denylistRebuilds.Add(1);
}
