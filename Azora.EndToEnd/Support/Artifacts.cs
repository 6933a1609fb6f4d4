namespace Azora.EndToEnd.Support;

/// <summary>Where failing journeys leave their evidence: <c>AZORA_E2E_ARTIFACTS</c>, else <c>TestResults/e2e-artifacts</c>.</summary>
internal static class Artifacts
{
    public static string PathFor(string fileName)
    {
        var folder = Path.GetFullPath(Environment.GetEnvironmentVariable("AZORA_E2E_ARTIFACTS") is { Length: > 0 } configured
            ? configured
            : Path.Combine("TestResults", "e2e-artifacts"));
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, fileName);
    }
}
