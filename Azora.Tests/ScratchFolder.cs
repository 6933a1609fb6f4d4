namespace Azora.Tests;

/// <summary>A temporary folder of one test class's, deleted with its files when the class is disposed.</summary>
internal sealed class ScratchFolder : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("azora-scratch-");

    public string PathOf(string name) => Path.Combine(_directory.FullName, name);

    /// <summary>Creates a subfolder and returns its path.</summary>
    public string CreateFolder(string name) => Directory.CreateDirectory(PathOf(name)).FullName;

    /// <summary>Writes <paramref name="text"/> to a new file of the folder and returns its path.</summary>
    public async Task<string> WriteAsync(string name, string text)
    {
        var path = PathOf($"{Guid.NewGuid():N}-{name}");
        await File.WriteAllTextAsync(path, text);
        return path;
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
