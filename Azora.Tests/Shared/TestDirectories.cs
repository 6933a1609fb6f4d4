// Compiled into Azora.Tests and Azora.EndToEnd.
namespace Azora.Testing;

internal static class TestDirectories
{
    private const UnixFileMode OpenFolder = (UnixFileMode)0b111_101_101; // 0755

    /// <summary>
    /// A fresh folder under <c>/tmp/azora-tests</c> that the <c>postgres</c> user can enter: when the tests run as root,
    /// PostgreSQL runs as that user, and a private temporary folder would lock it out.
    /// </summary>
    public static string CreateReachableByPostgres(string purpose)
    {
        var root = Path.Combine(Path.GetTempPath(), "azora-tests");
        Directory.CreateDirectory(root, OpenFolder);
        File.SetUnixFileMode(root, OpenFolder);
        var directory = Path.Combine(root, $"{purpose}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory, OpenFolder);
        return directory;
    }
}
