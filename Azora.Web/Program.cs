using Azora.ServiceDefaults;
using Azora.Web.Components;
using Azora.Web.Components.Account;
using Azora.Web.Components.Checkout;
using Azora.Web.Sessions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
// Development does this itself; a build run in another environment (the local production smoke run) needs it to serve
// the scoped CSS bundle from obj/. A published app has no static-web-assets manifest, so this does nothing there.
builder.WebHost.UseStaticWebAssets();
builder.AddPortalSessions();
// The API, found by its Aspire resource name through service discovery; the portal never touches the database. One
// client per request, carrying the signed-in browser's tokens (TokenRefresh) and the browser's address.
builder.Services.AddHttpContextAccessor();
builder.Services.AddTransient<ForwardedClientAddress>();
builder.Services.AddAzoraClient(options => options.BaseAddress = new Uri("https+http://api"), ServiceLifetime.Scoped)
    .AddHttpMessageHandler<ForwardedClientAddress>();
builder.Services.Configure<StripeCheckoutOptions>(builder.Configuration.GetSection(StripeCheckoutOptions.Section));
builder.Services.AddRazorComponents();
builder.Services.AddOutputCache(options => options.AddPolicy(AnonymousPages.Policy, AnonymousPages.Configure));

var app = builder.Build();

app.UseSecurityHeaders();
app.UseExceptionHandler("/error", createScopeForErrors: true);
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseAuthentication();
app.UseAuthorization();
app.UseEnhancedNavigationHeader();
app.UseOutputCache();
app.UseAntiforgery();
app.MapDefaultEndpoints();
app.MapStaticAssets();
app.MapSignOut();
app.MapAccountExport();
app.MapRazorComponents<App>();

app.Run();
