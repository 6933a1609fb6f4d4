using System.Diagnostics;
using Azora.Testing.Contract;
using Microsoft.Playwright;

namespace Azora.EndToEnd.Support;

/// <summary>
/// The Azora the journeys run against, made once for the whole suite: the deployed environment at
/// <c>AZORA_BASE_URL</c> (its web portal at <c>AZORA_WEB_URL</c>) when it is set, otherwise a local stack started here.
/// </summary>
public sealed class AzoraTarget : IAsyncLifetime
{
    public const string BaseUrlVariable = "AZORA_BASE_URL";

    /// <summary>The web portal of the deployed environment at <c>AZORA_BASE_URL</c> (staging: https://staging.azora.world).</summary>
    public const string WebUrlVariable = "AZORA_WEB_URL";

    /// <summary>Where a deployed environment's Stripe emulator takes card outcomes (staging: its own host).</summary>
    public const string StripeEmulatorUrlVariable = "AZORA_STRIPE_EMULATOR_URL";

    /// <summary>
    /// The namespace of a deployed environment whose in-cluster PostgreSQL (StatefulSet <c>postgres</c>) the suite may
    /// reach with <c>kubectl exec</c> to give its own test accounts a role (staging; never production).
    /// </summary>
    public const string KubectlNamespaceVariable = "AZORA_E2E_KUBECTL_NAMESPACE";

    private static readonly string? ConfiguredBaseUrl = Environment.GetEnvironmentVariable(BaseUrlVariable) is { Length: > 0 } url ? url.TrimEnd('/') : null;

    private static readonly string? ConfiguredWebUrl = Environment.GetEnvironmentVariable(WebUrlVariable) is { Length: > 0 } url ? url.TrimEnd('/') : null;

    private static readonly string? ConfiguredStripeEmulatorUrl =
        Environment.GetEnvironmentVariable(StripeEmulatorUrlVariable) is { Length: > 0 } url ? url.TrimEnd('/') : null;

    private static readonly string? ConfiguredKubectlNamespace =
        Environment.GetEnvironmentVariable(KubectlNamespaceVariable) is { Length: > 0 } ns ? ns : null;

    private readonly SemaphoreSlim _browserLaunch = new(1, 1);
    private IPlaywright? _playwright;
    private LocalStack? _local;
    private IBrowser? _browser;

    public IPlaywright Playwright => _playwright ?? throw new InvalidOperationException("Playwright has not started.");

    public string BaseUrl => ConfiguredBaseUrl ?? Local.Api.ToString().TrimEnd('/');

    /// <summary>The web portal: the local stack's, or the deployed one at <see cref="WebUrlVariable"/>.</summary>
    public async Task<string> WebUrlAsync() => ConfiguredWebUrl ?? (IsLocal
        ? (await Local.WebAsync()).ToString().TrimEnd('/')
        : throw new InvalidOperationException($"{BaseUrlVariable} is set but {WebUrlVariable} is not."));

    /// <summary>True when the browser journeys have a portal to visit: the local stack's, or <see cref="WebUrlVariable"/>.</summary>
    public static bool HasWeb => IsLocal || ConfiguredWebUrl is not null;

    /// <summary>True when this suite started the stack itself: only then are the Stripe emulator, the database and
    /// Development-only pages there.</summary>
    public static bool IsLocal => ConfiguredBaseUrl is null;

    /// <summary>True when this suite started the stack itself in the Production environment (a new production).</summary>
    internal bool IsLocalProduction => _local?.IsProduction == true;

    /// <summary>True when card outcomes can be decided: the local stack's emulator, or a deployed one (staging).</summary>
    public static bool HasStripeEmulator => IsLocal || ConfiguredStripeEmulatorUrl is not null;

    /// <summary>True when the suite can make instructors and admins: in the local stack's database, or through kubectl.</summary>
    public static bool CanGrantRoles => IsLocal || ConfiguredKubectlNamespace is not null;

    /// <summary>
    /// True when the suite can verify its accounts' emails: through the verification mail (the mail catcher) on the local stack, or in
    /// the database through kubectl on a deployed environment, whose mail the suite cannot read.
    /// </summary>
    public static bool CanVerifyEmails => IsLocal || ConfiguredKubectlNamespace is not null;

    /// <summary>
    /// True when a partner endpoint the payments worker delivers to can be read back: a listener on this machine for
    /// the local stack, a webhook sink of the deployed Stripe emulator (on the environment's public host) otherwise.
    /// </summary>
    public static bool HasWebhookReceiver => IsLocal || ConfiguredStripeEmulatorUrl is not null;

    internal LocalStack Local => _local ?? throw new InvalidOperationException($"Only the local stack has this; {BaseUrlVariable} is set.");

    public async Task InitializeAsync()
    {
        _playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        if (IsLocal)
        {
            _local = await LocalStack.StartAsync();
        }
    }

    /// <summary>A client of the API whose every response is checked against the checked-in OpenAPI document.</summary>
    internal Task<ApiClient> ApiAsync(RequestLog log) => ClientAsync(BaseUrl, log, OpenApiContract.CheckedIn);

    /// <summary>One Chromium for the whole suite, launched by the first browser journey; each journey opens its own context.</summary>
    internal async Task<IBrowser> BrowserAsync()
    {
        await _browserLaunch.WaitAsync();
        try
        {
            return _browser ??= await Chromium.LaunchAsync(Playwright);
        }
        finally
        {
            _browserLaunch.Release();
        }
    }

    internal Task<ApiClient> StripeEmulatorAsync(RequestLog log) => ClientAsync(ConfiguredStripeEmulatorUrl ?? Local.StripeEmulator.ToString(), log, contract: null);

    internal async Task GrantRoleAsync(Guid userId, string role)
    {
        if (IsLocal)
        {
            await Local.GrantRoleAsync(userId, role);
            return;
        }

        Assert.Matches("^[a-z]+$", role);
        await UpdateUserThroughKubectlAsync(userId, $"roles = ARRAY['{role}']", $"Granting {role} to {userId}");
    }

    /// <summary>
    /// Verifies the account's email. On the local stack the journey does what the owner does: it reads the verification
    /// mail in the mail catcher, takes the token from its link and posts it to VerifyEmail. A deployed environment's mail goes to real
    /// inboxes the suite cannot read, so there the account is marked verified in the database through kubectl (staging).
    /// </summary>
    internal async Task VerifyEmailAsync(ApiClient api, SignedIn account)
    {
        if (IsLocal)
        {
            var token = await Local.VerificationTokenAsync(account.Email);
            (await api.PostAsync("/api/auth/verify-email", new { token })).Expect(204);
            return;
        }

        await UpdateUserThroughKubectlAsync(account.UserId, "email_verified_at = now()", $"Verifying the email of {account.UserId}");
    }

    private static async Task UpdateUserThroughKubectlAsync(Guid userId, string assignment, string what)
    {
        var update = $"UPDATE users SET {assignment} WHERE id = '{userId}' RETURNING id";
        var kubectl = new ProcessStartInfo("kubectl") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in (string[])
        [
            "exec", "statefulset/postgres", "--namespace", ConfiguredKubectlNamespace ?? throw new InvalidOperationException($"{KubectlNamespaceVariable} is not set."),
            "--", "sh", "-c", "PGPASSWORD=\"$POSTGRES_PASSWORD\" psql --username=\"$POSTGRES_USER\" --dbname=azora -tAq -v ON_ERROR_STOP=1 --command=\"$0\"", update,
        ])
        {
            kubectl.ArgumentList.Add(argument);
        }

        using var process = Process.Start(kubectl) ?? throw new InvalidOperationException("kubectl did not start.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0 && (await output).Trim() == userId.ToString(), $"{what} through kubectl failed: {await output}{await error}");
    }

    /// <summary>A partner endpoint for the payments worker to deliver to (see <see cref="HasWebhookReceiver"/>).</summary>
    internal async Task<IWebhookReceiver> WebhookReceiverAsync(RequestLog log) =>
        IsLocal ? new WebhookListener() : new WebhookSink(ConfiguredStripeEmulatorUrl!, await StripeEmulatorAsync(log));

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _browserLaunch.Dispose();
        if (_local is not null)
        {
            await _local.DisposeAsync();
        }

        _playwright?.Dispose();
    }

    private async Task<ApiClient> ClientAsync(string baseUrl, RequestLog log, OpenApiContract? contract) =>
        new(await Playwright.APIRequest.NewContextAsync(new() { BaseURL = baseUrl }), log, contract);
}

[CollectionDefinition(Name)]
public sealed class AzoraCollection : ICollectionFixture<AzoraTarget>
{
    public const string Name = "Azora";
}
