namespace Azora.Tests.Deployment;

/// <summary>
/// A stand-in for <c>kubectl</c> at the cluster boundary (no cluster exists here): it records each call, answers the
/// reads as a cluster whose live API colour is <paramref name="liveColour"/> and whose Deployments run
/// <c>ghcr.io/azora-world/azora-api:previous</c>, fails the subcommand <paramref name="failing"/>, and builds
/// kustomizations with the real kubectl (that part is offline).
/// </summary>
internal sealed class FakeKubectl(string directory, string liveColour, string failing = "none")
{
    public static async Task<string[]> CallsAsync(string directory) =>
        File.Exists(Path.Combine(directory, "calls")) ? await File.ReadAllLinesAsync(Path.Combine(directory, "calls")) : [];

    public async Task<(int ExitCode, string Output, string Error)> RunAsync(string script, string[] arguments, IDictionary<string, string> environment)
    {
        var realKubectl = (await Repository.RunAsync("sh", ["-c", "command -v kubectl"])).Output.Trim();
        var fake = Path.Combine(directory, "kubectl");
        await File.WriteAllTextAsync(fake, $$"""
            #!/usr/bin/env bash
            if [[ $1 == kustomize ]]; then exec {{realKubectl}} "$@"; fi
            echo "$*" >> {{directory}}/calls
            [[ $1 == {{failing}} ]] && exit 1
            if [[ $1 == get && $2 == service ]]; then echo -n {{liveColour}}; fi
            if [[ $1 == get && $2 == deployment ]]; then echo -n ghcr.io/azora-world/azora-api:previous; fi
            exit 0
            """);
        File.SetUnixFileMode(fake, (UnixFileMode)0b111_101_101);
        return await Repository.RunAsync(script, arguments, new Dictionary<string, string>(environment)
        {
            ["PATH"] = $"{directory}:{Environment.GetEnvironmentVariable("PATH")}",
        });
    }
}
