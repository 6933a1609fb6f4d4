using System.Security.Cryptography;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using StackExchange.Redis;

namespace Azora.Web.Sessions;

/// <summary>
/// Where a signed-in browser's session lives: the browser's cookie holds only the session's key; the ticket (who the
/// user is, and their API tokens) is kept here, in the cache, encrypted with the portal's Data Protection keys, so every
/// replica can serve the browser and a token never reaches the browser.
/// </summary>
internal sealed partial class CacheTicketStore(IDistributedCache cache, IDataProtectionProvider protection, ILogger<CacheTicketStore> logger)
    : ITicketStore
{
    private readonly IDataProtector _protector = protection.CreateProtector("Azora.Web.Sessions.Ticket");

    internal static string CacheKey(string sessionKey) => $"azora-web:session:{sessionKey}";

    public async Task<string> StoreAsync(AuthenticationTicket ticket)
    {
        var key = SessionTokens.SessionKeyOf(ticket.Properties) ?? throw new InvalidOperationException("A session is stored with its key.");
        await RenewAsync(key, ticket);
        return key;
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket) =>
        cache.SetAsync(
            CacheKey(key),
            _protector.Protect(TicketSerializer.Default.Serialize(ticket)),
            new DistributedCacheEntryOptions { AbsoluteExpiration = ticket.Properties.ExpiresUtc ?? DateTimeOffset.UtcNow + PortalSessions.Lifetime });

    public async Task<AuthenticationTicket?> RetrieveAsync(string key)
    {
        byte[]? stored;
        try
        {
            stored = await cache.GetAsync(CacheKey(key));
        }
        catch (RedisException ex)
        {
            // The browser is treated as signed out while the cache is away; its session is there again when it is back.
            LogCacheUnavailable(logger, ex);
            return null;
        }

        try
        {
            return stored is null ? null : TicketSerializer.Default.Deserialize(_protector.Unprotect(stored));
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    public Task RemoveAsync(string key) => cache.RemoveAsync(CacheKey(key));

    [LoggerMessage(Level = LogLevel.Warning, Message = "The session store (cache) is unavailable; the request is served as signed out")]
    private static partial void LogCacheUnavailable(ILogger logger, Exception exception);
}
