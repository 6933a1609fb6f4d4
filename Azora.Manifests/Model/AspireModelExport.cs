using System.Diagnostics;

namespace Azora.Manifests.Model;

/// <summary>Asks the AppHost for its model in publish mode, the same way <c>aspire publish</c> would.</summary>
public static class AspireModelExport
{
    public static async Task<string> ExportAsync(string repositoryRoot, bool build, CancellationToken cancellationToken)
    {
        var outputDirectory = Directory.CreateTempSubdirectory("azora-aspire-manifest-");
        try
        {
            var manifestPath = Path.Combine(outputDirectory.FullName, "aspire-manifest.json");
            var start = new ProcessStartInfo("dotnet")
            {
                WorkingDirectory = repositoryRoot,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            foreach (var argument in (string[])["run", "--project", "Azora.AppHost", "--no-launch-profile", .. build ? [] : new[] { "--no-build" },
                         "--", "--publisher", "manifest", "--output-path", manifestPath])
            {
                start.ArgumentList.Add(argument);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start dotnet.");
            var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
            var error = process.StandardError.ReadToEndAsync(cancellationToken);
            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0 || !File.Exists(manifestPath))
            {
                throw new InvalidOperationException(
                    $"The AppHost did not write its manifest (exit code {process.ExitCode}):\n{await output}\n{await error}");
            }

            return await File.ReadAllTextAsync(manifestPath, cancellationToken);
        }
        finally
        {
            outputDirectory.Delete(recursive: true);
        }
    }
}
