namespace Azora.Tests.Sdk;

/// <summary>
/// The .NET SDK's generated half is what scripts/generate-dotnet-client.sh makes of openapi/v1.json now: a change to
/// the document, the generator or its settings without regenerating fails here.
/// </summary>
public sealed class DotNetClientGenerationTests : IDisposable
{
    private const string Hint = "sdk/dotnet/Azora.Client/Generated/ is out of date with openapi/v1.json: run scripts/generate-dotnet-client.sh and commit the result.";

    private readonly ScratchFolder _scratch = new();

    [Fact]
    public async Task The_generated_client_is_what_the_script_makes_of_the_checked_in_document()
    {
        var fresh = _scratch.PathOf("Generated");
        var (exitCode, output, error) = await Repository.RunAsync("scripts/generate-dotnet-client.sh", [fresh]);
        Assert.True(exitCode == 0, $"scripts/generate-dotnet-client.sh failed ({exitCode}): {output}{error}");

        var committedRoot = Repository.PathOf("sdk/dotnet/Azora.Client/Generated");
        var generated = Files(fresh);
        var committed = Files(committedRoot);
        Assert.True(generated.SequenceEqual(committed),
            $"{Hint} Only generated: {string.Join(", ", generated.Except(committed))}. Only committed: {string.Join(", ", committed.Except(generated))}.");
        foreach (var file in generated)
        {
            Assert.True(
                await File.ReadAllTextAsync(Path.Combine(fresh, file)) == await File.ReadAllTextAsync(Path.Combine(committedRoot, file)),
                $"{file}: {Hint}");
        }
    }

    private static List<string> Files(string root) =>
        Directory.GetFiles(root, "*", SearchOption.AllDirectories).Select(path => Path.GetRelativePath(root, path)).Order(StringComparer.Ordinal).ToList();

    public void Dispose() => _scratch.Dispose();
}
