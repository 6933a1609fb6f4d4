using Azora.Client;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.StackExchangeRedis;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using StackExchange.Redis;

namespace Azora.Web.Sessions;

/// <summary>
/// Signing in to the portal: a cookie session (HttpOnly, SameSite=Lax, Secure outside Development) whose ticket, with
/// the user's API tokens, stays on the server (<see cref="CacheTicketStore"/>); tokens are refreshed before they expire
/// (<see cref="TokenRefresh"/>), and signing out revokes the API session.
/// </summary>
public static class PortalSessions
{
    public const string Scheme = CookieAuthenticationDefaults.AuthenticationScheme;

    /// <summary>How long a sign-in lasts at most (the API's refresh tokens last as long).</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(30);

    public static WebApplicationBuilder AddPortalSessions(this WebApplicationBuilder builder)
    {
        var development = builder.Environment.IsDevelopment();
        var services = builder.Services;

        // The cache holds the sessions and the key ring that encrypts them, the cookies and the anti-forgery tokens,
        // so that every replica reads what another wrote.
        builder.AddRedisClient("cache");
        services.AddStackExchangeRedisCache(_ => { });
        services.AddOptions<RedisCacheOptions>().Configure<IServiceProvider>((options, provider) =>
            options.ConnectionMultiplexerFactory = () => Task.FromResult(provider.GetRequiredService<IConnectionMultiplexer>()));
        services.AddDataProtection().SetApplicationName("azora-web");
        services.AddOptions<KeyManagementOptions>().Configure<IServiceProvider>((options, provider) =>
            options.XmlRepository = new RedisXmlRepository(
                () => provider.GetRequiredService<IConnectionMultiplexer>().GetDatabase(), "azora-web:data-protection-keys"));

        services.AddOptions<PortalSessionOptions>().BindConfiguration(PortalSessionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<ITicketStore, CacheTicketStore>();
        services.AddScoped<TokenRefresh>();
        services.AddAuthentication(Scheme).AddCookie(Scheme, options =>
        {
            // The __Host- prefix pins the cookie to this host over HTTPS; plain http://localhost cannot carry it.
            options.Cookie.Name = development ? "azora_session" : "__Host-azora_session";
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Lax;
            options.Cookie.SecurePolicy = development ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
            options.ExpireTimeSpan = Lifetime;
            // Not sliding: a renewal written when a response starts could put back tokens another request has just
            // replaced. Refreshing the tokens (TokenRefresh) writes the store at once instead.
            options.SlidingExpiration = false;
            options.LoginPath = "/sign-in";
            options.AccessDeniedPath = "/access-denied";
            options.ReturnUrlParameter = "returnUrl";
            options.Events.OnValidatePrincipal = context =>
                context.HttpContext.RequestServices.GetRequiredService<TokenRefresh>().ValidateAsync(context);
        });
        services.AddOptions<CookieAuthenticationOptions>(Scheme).Configure<ITicketStore>((options, store) => options.SessionStore = store);
        services.AddAuthorization();
        services.AddCascadingAuthenticationState();
        return builder;
    }

    /// <summary>Starts the browser's session with the tokens <paramref name="session"/> holds.</summary>
    public static Task SignInAsync(HttpContext http, AzoraSession session) =>
        http.SignInAsync(Scheme, SessionTokens.Principal(session), SessionTokens.NewProperties(session, DateTimeOffset.UtcNow));

    /// <summary><c>POST /sign-out</c> (a form with anti-forgery): revokes the API session, forgets the portal's.</summary>
    public static IEndpointConventionBuilder MapSignOut(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapPost("/sign-out", async Task<IResult> (HttpContext http, AzoraClient api) =>
        {
            // The anti-forgery middleware checked the form; without form parameters to bind, this endpoint acts on it.
            if (http.Features.Get<IAntiforgeryValidationFeature>() is { IsValid: false })
            {
                // A plain 400: the not-found page re-executed for this POST would be a form post without its form.
                http.Features.Get<IStatusCodePagesFeature>()?.Enabled = false;
                return TypedResults.BadRequest();
            }

            try
            {
                await api.SignOutAsync(http.RequestAborted);
            }
            catch (Exception unavailable) when (unavailable is AzoraApiException or HttpRequestException)
            {
                // The browser is signed out of the portal either way; the API session ends when its tokens expire.
            }

            await http.SignOutAsync(Scheme);
            return TypedResults.LocalRedirect("/");
        }).WithMetadata(new RequireAntiforgeryTokenAttribute());
}
