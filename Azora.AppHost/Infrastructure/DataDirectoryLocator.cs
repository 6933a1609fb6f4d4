using System.Security.Cryptography;
using System.Text;

namespace Azora.AppHost.Infrastructure;

/// <summary>
/// Chooses where local runs keep their state (the PostgreSQL cluster). By default <c>.azora/</c> in the repository,
/// which git ignores. Run as root, PostgreSQL runs as the <c>postgres</c> user, which must be able to reach the folder;
/// where the repository sits under a folder only root may enter, the state moves to <c>/var/lib/azora/&lt;id&gt;</c>.
/// </summary>
public static class DataDirectoryLocator
{
    public static string Resolve(string? configured, string repositoryRoot, IMachineProbe machine)
    {
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Path.GetFullPath(configured, repositoryRoot);
        }

        var inRepository = Path.Combine(repositoryRoot, ".azora");
        if (!machine.RunsAsRoot || IsReachableByOthers(inRepository))
        {
            return inRepository;
        }

        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Path.GetFullPath(repositoryRoot))))[..12];
        return Path.Combine("/var/lib/azora", id);
    }

    /// <summary>True when every existing ancestor of <paramref name="path"/> may be entered by any user.</summary>
    public static bool IsReachableByOthers(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return true;
        }

        for (var directory = Path.GetDirectoryName(Path.GetFullPath(path)); directory is not null; directory = Path.GetDirectoryName(directory))
        {
            if (Directory.Exists(directory) && !File.GetUnixFileMode(directory).HasFlag(UnixFileMode.OtherExecute))
            {
                return false;
            }
        }

        return true;
    }
}
