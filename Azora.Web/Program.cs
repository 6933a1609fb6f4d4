using Azora.ServiceDefaults;
using Azora.Web.Components;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
// The API, found by its Aspire resource name through service discovery; the portal never touches the database.
builder.Services.AddAzoraClient(options => options.BaseAddress = new Uri("https+http://api"), ServiceLifetime.Scoped);
builder.Services.AddRazorComponents();

var app = builder.Build();

app.UseSecurityHeaders();
app.UseExceptionHandler("/error", createScopeForErrors: true);
app.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true);
app.UseAntiforgery();
app.MapDefaultEndpoints();
app.MapServiceInfo("azora-web");
app.MapStaticAssets();
app.MapRazorComponents<App>();

app.Run();
