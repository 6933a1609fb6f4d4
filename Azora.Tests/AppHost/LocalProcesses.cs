namespace Azora.Tests.AppHost;

/// <summary>Processes read from <c>/proc</c>.</summary>
internal static class LocalProcesses
{
    public sealed record Entry(int Pid, string CommandLine);

    /// <summary>
    /// The live processes whose environment holds <paramref name="name"/>=<paramref name="value"/>. Aspire's DCP runs
    /// detached from the AppHost, but every process it starts inherits the AppHost's environment, so a variable unique
    /// to one run finds all of that run's processes.
    /// </summary>
    public static IReadOnlyList<Entry> WithEnvironment(string name, string value)
    {
        var found = new List<Entry>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid) && IsAlive(pid) && Environment(pid, name) == value)
            {
                found.Add(new Entry(pid, CommandLine(pid)));
            }
        }

        return found;
    }

    /// <summary>True while the process exists and is not a zombie.</summary>
    public static bool IsAlive(int pid) => State(pid) is { } state && state != 'Z';

    public static string Environment(int pid, string name)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/environ").Split('\0')
                .FirstOrDefault(variable => variable.StartsWith(name + "=", StringComparison.Ordinal))?[(name.Length + 1)..] ?? string.Empty;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return string.Empty;
        }
    }

    private static char? State(int pid)
    {
        try
        {
            // "pid (comm) state ...": comm may hold spaces and parentheses, so read after the last ')'.
            var text = File.ReadAllText($"/proc/{pid}/stat");
            return text[text.LastIndexOf(')') + 2];
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string CommandLine(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }
}
