using Azora.Manifests.Generation;
using Azora.Manifests.Model;

// Writes manifests/ from the AppHost's model. Usage:
//   dotnet run --project Azora.Manifests -- [--aspire-manifest FILE] [--output DIR]
// Without --aspire-manifest the AppHost is asked for its model (publish mode) first.
//   dotnet run --project Azora.Manifests -- --capacity   prints the nodes the committed overlays need (scripts/capacity-plan.sh)
var repositoryRoot = FindRepositoryRoot();
if (args is ["--capacity"])
{
    return await CapacityPlan.PrintAsync(repositoryRoot, Console.Out);
}

string? aspireManifest = null;
var output = Path.Combine(repositoryRoot, "manifests");
for (var index = 0; index < args.Length; index++)
{
    switch (args[index])
    {
        case "--aspire-manifest" when index + 1 < args.Length:
            aspireManifest = args[++index];
            break;
        case "--output" when index + 1 < args.Length:
            output = Path.GetFullPath(args[++index]);
            break;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[index]}'. Usage: [--aspire-manifest FILE] [--output DIR]");
            return 2;
    }
}

var json = aspireManifest is null
    ? await AspireModelExport.ExportAsync(repositoryRoot, build: true, CancellationToken.None)
    : await File.ReadAllTextAsync(aspireManifest);
var files = ManifestGenerator.Generate(AspireManifest.Parse(json));
ManifestGenerator.Write(files, output);
Console.WriteLine($"Wrote {files.Count} files to {output}");
return 0;

static string FindRepositoryRoot()
{
    for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
    {
        if (File.Exists(Path.Combine(directory.FullName, "Azora.sln")))
        {
            return directory.FullName;
        }
    }

    throw new InvalidOperationException("Run Azora.Manifests from inside the repository.");
}
