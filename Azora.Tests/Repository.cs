using System.Diagnostics;

namespace Azora.Tests;

/// <summary>The repository the tests were built from, and the commands the tests run in it.</summary>
internal static class Repository
{
    // Only a guard against a hang; every command run through here exits within seconds when healthy.
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(3);

    public static string Root { get; } = FindRoot();

    public static string PathOf(string relativePath) => Path.Combine(Root, relativePath);

    public static async Task<(int ExitCode, string Output, string Error)> RunAsync(
        string fileName, IEnumerable<string> arguments, IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        workingDirectory ??= Root;
        if (fileName.Contains('/') && !Path.IsPathRooted(fileName))
        {
            fileName = Path.Combine(workingDirectory, fileName);
        }

        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"'{fileName}' could not be started; scripts/test.sh installs it ({ex.Message}).", ex);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var guard = new CancellationTokenSource(HangGuard);
            try
            {
                await process.WaitForExitAsync(guard.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"'{fileName} {string.Join(' ', arguments)}' did not exit within {HangGuard}: {await output}");
            }

            return (process.ExitCode, await output, await error);
        }
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Azora.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Azora.sln not found above the test output.");
    }
}
