using System.Diagnostics;
using System.Reflection;

namespace Azora.AppHost.Infrastructure;

/// <summary>What the machine offers; an interface so the decision logic is testable without changing the machine.</summary>
public interface IMachineProbe
{
    bool RunsAsRoot { get; }

    bool ContainerRuntimeAnswers();

    /// <summary>The folder holding <c>postgres</c> and <c>initdb</c>: <paramref name="configured"/> when it has them, else a discovered one.</summary>
    string? FindPostgresBinDirectory(string? configured);

    string? FindOnPath(string executable);

    /// <summary>The path of <c>GarnetServer.dll</c> from the <c>garnet-server</c> package restored with the AppHost.</summary>
    string GarnetServerAssembly();
}

public sealed class MachineProbe : IMachineProbe
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    public bool RunsAsRoot => Environment.IsPrivilegedProcess;

    public bool ContainerRuntimeAnswers()
    {
        // Aspire itself reads ASPIRE_CONTAINER_RUNTIME (docker or podman); probe the same runtime.
        var runtime = Environment.GetEnvironmentVariable("ASPIRE_CONTAINER_RUNTIME") is { Length: > 0 } configured ? configured : "docker";
        if (FindOnPath(runtime) is not { } path)
        {
            return false;
        }

        var start = new ProcessStartInfo(path, ["info"]) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start);
        if (process is null)
        {
            return false;
        }

        process.StandardOutput.ReadToEndAsync();
        process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(ProbeTimeout))
        {
            process.Kill(entireProcessTree: true);
            return false;
        }

        return process.ExitCode == 0;
    }

    public string? FindPostgresBinDirectory(string? configured)
    {
        if (configured is not null)
        {
            return HasPostgresServer(configured) ? Path.GetFullPath(configured) : null;
        }

        const string debianRoot = "/usr/lib/postgresql";
        if (Directory.Exists(debianRoot))
        {
            var newest = Directory.GetDirectories(debianRoot)
                .Select(version => Path.Combine(version, "bin"))
                .Where(HasPostgresServer)
                .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), out var major) ? major : 0)
                .FirstOrDefault();
            if (newest is not null)
            {
                return newest;
            }
        }

        if (FindOnPath("postgres") is { } onPath)
        {
            var target = File.ResolveLinkTarget(onPath, returnFinalTarget: true)?.FullName ?? onPath;
            var directory = Path.GetDirectoryName(target);
            return directory is not null && HasPostgresServer(directory) ? directory : null;
        }

        return null;
    }

    public string? FindOnPath(string executable)
    {
        if (Path.IsPathRooted(executable))
        {
            return File.Exists(executable) ? executable : null;
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, executable))
            .FirstOrDefault(File.Exists);
    }

    public string GarnetServerAssembly()
    {
        var path = typeof(MachineProbe).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(attribute => attribute.Key == "GarnetServerAssembly")?.Value;
        if (string.IsNullOrEmpty(path) || !File.Exists(path))
        {
            throw new InfrastructureUnavailableException(
                $"The Garnet server ('{path}') is missing from the NuGet package folder. Run 'dotnet restore' and start again.");
        }

        return path;
    }

    private static bool HasPostgresServer(string directory) =>
        File.Exists(Path.Combine(directory, "postgres")) && File.Exists(Path.Combine(directory, "initdb"));
}
