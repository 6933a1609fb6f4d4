using Azora.AppHost.Infrastructure;

namespace Azora.Tests.Infrastructure;

public sealed class DataDirectoryLocatorTests : IDisposable
{
    private readonly DirectoryInfo _scratch = Directory.CreateTempSubdirectory("azora-locator-");

    [Fact]
    public void A_configured_relative_folder_is_taken_from_the_repository_root()
    {
        var path = DataDirectoryLocator.Resolve("state/local", "/src/azora", new FakeMachine());

        Assert.Equal("/src/azora/state/local", path);
    }

    [Fact]
    public void Without_root_the_state_lives_in_the_repository()
    {
        var repository = RepositoryUnderAFolderOnlyItsOwnerMayEnter();

        var path = DataDirectoryLocator.Resolve(null, repository, new FakeMachine { RunsAsRoot = false });

        Assert.Equal(Path.Combine(repository, ".azora"), path);
    }

    [Fact]
    public void As_root_under_a_folder_others_cannot_enter_the_state_moves_where_postgres_can_reach_it()
    {
        var repository = RepositoryUnderAFolderOnlyItsOwnerMayEnter();

        var path = DataDirectoryLocator.Resolve(null, repository, new FakeMachine { RunsAsRoot = true });

        Assert.StartsWith("/var/lib/azora/", path);
        Assert.Equal(path, DataDirectoryLocator.Resolve(null, repository, new FakeMachine { RunsAsRoot = true }));
        Assert.NotEqual(path, DataDirectoryLocator.Resolve(null, repository + "-other", new FakeMachine { RunsAsRoot = true }));
    }

    [Fact]
    public void As_root_under_open_folders_the_state_stays_in_the_repository()
    {
        var repository = Path.Combine(_scratch.FullName, "open", "azora");
        Directory.CreateDirectory(repository);
        foreach (var directory in new[] { _scratch.FullName, Path.Combine(_scratch.FullName, "open"), repository })
        {
            File.SetUnixFileMode(directory, (UnixFileMode)Convert.ToInt32("755", 8));
        }

        var path = DataDirectoryLocator.Resolve(null, repository, new FakeMachine { RunsAsRoot = true });

        Assert.Equal(Path.Combine(repository, ".azora"), path);
    }

    private string RepositoryUnderAFolderOnlyItsOwnerMayEnter()
    {
        var repository = Path.Combine(_scratch.FullName, "closed", "azora");
        Directory.CreateDirectory(repository);
        File.SetUnixFileMode(Path.Combine(_scratch.FullName, "closed"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return repository;
    }

    public void Dispose() => _scratch.Delete(recursive: true);
}
