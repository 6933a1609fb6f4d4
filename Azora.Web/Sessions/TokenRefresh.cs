using Azora.Client;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Azora.Web.Sessions;

/// <summary>
/// Runs on every request of a signed-in browser: hands the session's API tokens to this request's
/// <see cref="AzoraClient"/>, and first exchanges them for a new pair when the access token is about to expire.
/// A refresh token works once and the API ends a session whose refresh token is used twice, so a session is refreshed
/// by one request at a time across every replica (a lock in the cache); the others wait for its new tokens.
/// </summary>
internal sealed partial class TokenRefresh(
    ITicketStore store, IConnectionMultiplexer cache, AzoraClient api, IOptions<PortalSessionOptions> options, TimeProvider time,
    ILogger<TokenRefresh> logger)
{
    private static readonly TimeSpan LockLifetime = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan WaitForOtherRefresh = TimeSpan.FromSeconds(5);

    public async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var session = SessionTokens.Read(context.Properties);
        var key = SessionTokens.SessionKeyOf(context.Properties);
        if (session is null || key is null)
        {
            await EndAsync(context);
            return;
        }

        if (session.ExpiresAt - time.GetUtcNow() < options.Value.RefreshMargin)
        {
            session = await RefreshAsync(context, key, session);
            if (session is null)
            {
                await EndAsync(context);
                return;
            }
        }

        api.UseSession(session);
    }

    private async Task<AzoraSession?> RefreshAsync(CookieValidatePrincipalContext context, string key, AzoraSession current)
    {
        var database = cache.GetDatabase();
        var lockKey = CacheTicketStore.CacheKey(key) + ":refresh";
        var holder = Guid.NewGuid().ToString("N");
        if (!await database.LockTakeAsync(lockKey, holder, LockLifetime))
        {
            return await WaitForRefreshByOtherAsync(context, key, current) ?? current;
        }

        try
        {
            // Another request may have refreshed between this request reading the session and taking the lock.
            if (await store.RetrieveAsync(key) is { } latest && Adopt(context, latest, current) is { } refreshedByOther)
            {
                return refreshedByOther;
            }

            api.UseSession(current);
            AzoraSession renewed;
            try
            {
                renewed = await api.RefreshAsync(context.HttpContext.RequestAborted);
            }
            catch (AzoraApiException ended) when (ended.Status is 401 or 403)
            {
                LogSessionEnded(logger, ended.Code);
                return null;
            }
            catch (Exception unavailable) when (unavailable is AzoraApiException or HttpRequestException or TaskCanceledException)
            {
                // The API is away: keep the tokens (still good until they expire); the next request tries again.
                LogRefreshFailed(logger, unavailable);
                return current;
            }

            SessionTokens.Write(context.Properties, renewed);
            var principal = SessionTokens.Principal(renewed);
            context.ReplacePrincipal(principal);
            await store.RenewAsync(key, new AuthenticationTicket(principal, context.Properties, PortalSessions.Scheme));
            return renewed;
        }
        finally
        {
            await database.LockReleaseAsync(lockKey, holder);
        }
    }

    private async Task<AzoraSession?> WaitForRefreshByOtherAsync(CookieValidatePrincipalContext context, string key, AzoraSession current)
    {
        var until = time.GetUtcNow() + WaitForOtherRefresh;
        while (time.GetUtcNow() < until)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), time, context.HttpContext.RequestAborted);
            if (await store.RetrieveAsync(key) is not { } latest)
            {
                return null;
            }

            if (Adopt(context, latest, current) is { } refreshedByOther)
            {
                return refreshedByOther;
            }
        }

        return null;
    }

    /// <summary>The stored session's tokens, when another request has replaced the ones this request read.</summary>
    private static AzoraSession? Adopt(CookieValidatePrincipalContext context, AuthenticationTicket latest, AzoraSession current)
    {
        if (SessionTokens.Read(latest.Properties) is not { } stored || stored.RefreshToken == current.RefreshToken)
        {
            return null;
        }

        SessionTokens.Write(context.Properties, stored);
        context.ReplacePrincipal(latest.Principal);
        return stored;
    }

    private static async Task EndAsync(CookieValidatePrincipalContext context)
    {
        context.RejectPrincipal();
        await context.HttpContext.SignOutAsync(PortalSessions.Scheme);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "The API ended a portal session at refresh ({Code}); the browser is signed out")]
    private static partial void LogSessionEnded(ILogger logger, string? code);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refreshing a portal session's tokens failed; the current tokens are kept")]
    private static partial void LogRefreshFailed(ILogger logger, Exception exception);
}
