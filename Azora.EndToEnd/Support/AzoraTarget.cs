using Microsoft.Playwright;

namespace Azora.EndToEnd.Support;

/// <summary>
/// The Azora the journeys run against, made once for the whole suite: the deployed environment at
/// <c>AZORA_BASE_URL</c> when it is set, otherwise a local stack started here.
/// </summary>
public sealed class AzoraTarget : IAsyncLifetime
{
    public const string BaseUrlVariable = "AZORA_BASE_URL";

    /// <summary>Where a deployed environment's Stripe emulator takes card outcomes (staging: its own host).</summary>
    public const string StripeEmulatorUrlVariable = "AZORA_STRIPE_EMULATOR_URL";

    private static readonly string? ConfiguredBaseUrl = Environment.GetEnvironmentVariable(BaseUrlVariable) is { Length: > 0 } url ? url.TrimEnd('/') : null;

    private static readonly string? ConfiguredStripeEmulatorUrl =
        Environment.GetEnvironmentVariable(StripeEmulatorUrlVariable) is { Length: > 0 } url ? url.TrimEnd('/') : null;

    private IPlaywright? _playwright;
    private LocalStack? _local;

    public IPlaywright Playwright => _playwright ?? throw new InvalidOperationException("Playwright has not started.");

    public string BaseUrl => ConfiguredBaseUrl ?? Local.Api.ToString().TrimEnd('/');

    /// <summary>True when this suite started the stack itself: only then are the Stripe emulator, the database and
    /// Development-only pages there.</summary>
    public static bool IsLocal => ConfiguredBaseUrl is null;

    /// <summary>True when card outcomes can be decided: the local stack's emulator, or a deployed one (staging).</summary>
    public static bool HasStripeEmulator => IsLocal || ConfiguredStripeEmulatorUrl is not null;

    internal LocalStack Local => _local ?? throw new InvalidOperationException($"Only the local stack has this; {BaseUrlVariable} is set.");

    public async Task InitializeAsync()
    {
        _playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        if (IsLocal)
        {
            _local = await LocalStack.StartAsync();
        }
    }

    internal Task<ApiClient> ApiAsync(RequestLog log) => ClientAsync(BaseUrl, log);

    internal Task<ApiClient> StripeEmulatorAsync(RequestLog log) => ClientAsync(ConfiguredStripeEmulatorUrl ?? Local.StripeEmulator.ToString(), log);

    public async Task DisposeAsync()
    {
        if (_local is not null)
        {
            await _local.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    private async Task<ApiClient> ClientAsync(string baseUrl, RequestLog log) =>
        new(await Playwright.APIRequest.NewContextAsync(new() { BaseURL = baseUrl }), log);
}

[CollectionDefinition(Name)]
public sealed class AzoraCollection : ICollectionFixture<AzoraTarget>
{
    public const string Name = "Azora";
}
