using Microsoft.Playwright;

namespace Azora.EndToEnd.Support;

/// <summary>
/// Debian's chromium (<c>apt-get install chromium</c>), or the Chromium-based browser at <c>AZORA_CHROMIUM_PATH</c>;
/// never a Playwright browser download, which this machine, like CI, cannot fetch. The switches keep it from calling
/// home or needing a sandbox and a GPU.
/// </summary>
internal static class Chromium
{
    public static Task<IBrowser> LaunchAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new()
    {
        ExecutablePath = Environment.GetEnvironmentVariable("AZORA_CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium",
        Headless = true,
        Args =
        [
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync",
        ],
    });
}
