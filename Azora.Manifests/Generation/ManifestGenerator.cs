using Azora.Manifests.Model;

namespace Azora.Manifests.Generation;

/// <summary>
/// Turns the Aspire model into <c>manifests/</c>: a base with every project's workload, and a staging and a production
/// overlay on top of it.
/// </summary>
public static class ManifestGenerator
{
    public static IReadOnlyList<GeneratedFile> Generate(AspireManifest model)
    {
        var layers = new BaseLayer(model);
        return [.. layers.Files(), .. new StagingOverlay(model, layers).Files(), .. new ProductionOverlay(model, layers).Files()];
    }

    /// <summary>Replaces <paramref name="outputDirectory"/>'s content with the generated files.</summary>
    public static void Write(IReadOnlyList<GeneratedFile> files, string outputDirectory)
    {
        if (Directory.Exists(outputDirectory))
        {
            Directory.Delete(outputDirectory, recursive: true);
        }

        foreach (var file in files)
        {
            var path = Path.Combine(outputDirectory, file.Path);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, file.Render());
        }
    }
}
