namespace Azora.Tests.Deployment;

/// <summary>
/// A stand-in for <c>kubectl</c> at the cluster boundary (no cluster exists here), with its own temporary folders for
/// itself and for what the deploy scripts render. Each run records the calls, answers the reads as a cluster whose
/// live API colour is the one given and whose API Deployments run <see cref="PreviousApiImage"/> and record
/// <see cref="PreviousPaymentsImage"/> (an empty colour is a cluster without Azora: with <c>--ignore-not-found</c> a
/// read prints nothing, without it a read fails with NotFound as kubectl does), fails the subcommand given (as a
/// cluster that cannot be reached), and builds kustomizations with the real kubectl (that part is offline).
/// </summary>
internal sealed class FakeKubectl : IDisposable
{
    public static readonly string PreviousApiImage = "ghcr.io/azora-world/azora-api@sha256:" + new string('1', 64);
    public static readonly string PreviousPaymentsImage = "ghcr.io/azora-world/azora-payments@sha256:" + new string('2', 64);

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

    /// <summary>
    /// Writes the digests file <c>deploy/build-images.sh</c> would have written for <paramref name="tag"/> where
    /// <c>deploy/apply.sh</c> looks by default, and returns each image's reference by digest (api, payments, migrations, stripe-emulator).
    /// </summary>
    public async Task<Dictionary<string, string>> RecordDigestsAsync(string tag, string? path = null)
    {
        var digests = new[] { "api", "payments", "migrations", "web", "stripe-emulator" }
            .Select((name, index) => (Name: name, Digest: "sha256:" + new string((char)('a' + index), 64)))
            .ToList();
        await File.WriteAllLinesAsync(
            path ?? Path.Combine(WorkDirectory, $"images-{tag}.digests"),
            digests.Select(image => $"ghcr.io/azora-world/azora-{image.Name}:{tag}@{image.Digest}"));
        return digests.ToDictionary(image => image.Name, image => $"ghcr.io/azora-world/azora-{image.Name}@{image.Digest}");
    }

    public async Task<(int ExitCode, string Output, string Error)> RunAsync(
        string script, string[] arguments, string liveColour, string failing = "none", IDictionary<string, string>? environment = null)
    {
        var realKubectl = (await Repository.RunAsync("sh", ["-c", "command -v kubectl"])).Output.Trim();
        var fake = Path.Combine(_bin, "kubectl");
        await File.WriteAllTextAsync(fake, $$"""
            #!/usr/bin/env bash
            if [[ $1 == kustomize ]]; then exec {{realKubectl}} "$@"; fi
            echo "$*" >> {{_bin}}/calls
            if [[ $1 == {{failing}} ]]; then
              echo "The connection to the server 10.0.0.1:6443 was refused - did you specify the right host or port?" >&2
              exit 1
            fi
            if [[ $1 == get && -z "{{liveColour}}" ]]; then
              [[ " $* " == *" --ignore-not-found "* ]] && exit 0
              echo "Error from server (NotFound): $2s \"$3\" not found" >&2
              exit 1
            fi
            if [[ $1 == get && $2 == service ]]; then echo -n {{liveColour}}; fi
            if [[ $1 == get && $2 == deployment && $* == *payments-image* ]]; then echo -n {{PreviousPaymentsImage}}; fi
            if [[ $1 == get && $2 == deployment && $* != *payments-image* ]]; then echo -n {{PreviousApiImage}}; fi
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
