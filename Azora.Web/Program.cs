using Azora.ServiceDefaults;
using Azora.Web.Components;
using Azora.Web.Components.Account;
using Azora.Web.Components.Checkout;
using Azora.Web.Sessions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddPortalSessions();
// The API, found by its Aspire resource name through service discovery; the portal never touches the database. One
// client per request, carrying the signed-in browser's tokens (TokenRefresh) and the browser's address.
builder.Services.AddHttpContextAccessor();
builder.Services.AddTransient<ForwardedClientAddress>();
builder.Services.AddAzoraClient(options => options.BaseAddress = new Uri("https+http://api"), ServiceLifetime.Scoped)
    .AddHttpMessageHandler<ForwardedClientAddress>();
builder.Services.Configure<StripeCheckoutOptions>(builder.Configuration.GetSection(StripeCheckoutOptions.Section));
builder.Services.AddRazorComponents();

var app = builder.Build();

app.UseSecurityHeaders();
app.UseExceptionHandler("/error", createScopeForErrors: true);
// Pages for a browser's GETs; a refused form post keeps its plain status (re-executing it would post to the page).
app.UseWhen(
    context => HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method),
    branch => branch.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();
app.MapDefaultEndpoints();
app.MapStaticAssets();
app.MapSignOut();
app.MapAccountExport();
app.MapRazorComponents<App>();

app.Run();
