namespace Azora.Tests.Deployment;

/// <summary>
/// A stand-in for <c>kubectl</c> at the cluster boundary (no cluster exists here), with its own temporary folders for
/// itself and for what the deploy scripts render. Each run records the calls, answers the reads as a cluster whose
/// live API colour is the one given and whose Deployments run <c>ghcr.io/azora-world/azora-api:previous</c>, fails the
/// subcommand given, and builds kustomizations with the real kubectl (that part is offline).
/// </summary>
internal sealed class FakeKubectl : IDisposable
{
    private readonly ScratchFolder _scratch = new();
    private readonly string _bin;

    public FakeKubectl()
    {
        _bin = _scratch.CreateFolder("bin");
        WorkDirectory = _scratch.CreateFolder("deploy-work");
    }

    /// <summary>The scripts' <c>AZORA_DEPLOY_WORKDIR</c>.</summary>
    public string WorkDirectory { get; }

    public void Dispose() => _scratch.Dispose();

    public async Task<string[]> CallsAsync() =>
        File.Exists(Path.Combine(_bin, "calls")) ? await File.ReadAllLinesAsync(Path.Combine(_bin, "calls")) : [];

    public async Task<(int ExitCode, string Output, string Error)> RunAsync(
        string script, string[] arguments, string liveColour, string failing = "none", IDictionary<string, string>? environment = null)
    {
        var realKubectl = (await Repository.RunAsync("sh", ["-c", "command -v kubectl"])).Output.Trim();
        var fake = Path.Combine(_bin, "kubectl");
        await File.WriteAllTextAsync(fake, $$"""
            #!/usr/bin/env bash
            if [[ $1 == kustomize ]]; then exec {{realKubectl}} "$@"; fi
            echo "$*" >> {{_bin}}/calls
            [[ $1 == {{failing}} ]] && exit 1
            if [[ $1 == get && $2 == service ]]; then echo -n {{liveColour}}; fi
            if [[ $1 == get && $2 == deployment ]]; then echo -n ghcr.io/azora-world/azora-api:previous; fi
            exit 0
            """);
        File.SetUnixFileMode(fake, (UnixFileMode)0b111_101_101);
        return await Repository.RunAsync(script, arguments, new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            ["PATH"] = $"{_bin}:{Environment.GetEnvironmentVariable("PATH")}",
            ["AZORA_DEPLOY_WORKDIR"] = WorkDirectory,
        });
    }
}
