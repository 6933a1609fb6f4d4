using System.Globalization;

namespace Azora.Soak;

/// <summary>
/// Memory and CPU time of a process and all its descendants, from /proc. Memory is the proportional set size (PSS):
/// resident pages, each shared page split among the processes sharing it, so PostgreSQL's backends do not each count
/// the whole shared buffer pool they touched (their RSS summed would).
/// </summary>
internal static class ProcessTree
{
    private static readonly double TicksPerSecond = 100; // USER_HZ on Linux.

    public static (long RssBytes, TimeSpan Cpu) Measure(int root)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid) && Stat(pid) is { } stat)
            {
                (children.TryGetValue(stat.Parent, out var list) ? list : children[stat.Parent] = []).Add(pid);
            }
        }

        long rss = 0;
        var cpu = TimeSpan.Zero;
        var pending = new Stack<int>([root]);
        var seen = new HashSet<int>();
        while (pending.TryPop(out var pid))
        {
            if (!seen.Add(pid) || Stat(pid) is not { } stat)
            {
                continue;
            }

            rss += Pss(pid) ?? stat.RssPages * Environment.SystemPageSize;
            cpu += TimeSpan.FromSeconds(stat.CpuTicks / TicksPerSecond);
            foreach (var child in children.GetValueOrDefault(pid) ?? [])
            {
                pending.Push(child);
            }
        }

        return (rss, cpu);
    }

    private static long? Pss(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/smaps_rollup").FirstOrDefault(line => line.StartsWith("Pss:", StringComparison.Ordinal));
            return line is null ? null : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    private static (int Parent, long CpuTicks, long RssPages)? Stat(int pid)
    {
        try
        {
            var text = File.ReadAllText($"/proc/{pid}/stat");
            // After "pid (comm) ": state ppid … utime(14) stime(15) cutime(16) cstime(17) … rss(24), counted from the
            // state as field 3. The children's times keep the CPU of exited children (PostgreSQL's backends) counted.
            var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
            return (int.Parse(fields[1], CultureInfo.InvariantCulture),
                fields[11..15].Sum(field => long.Parse(field, CultureInfo.InvariantCulture)),
                long.Parse(fields[21], CultureInfo.InvariantCulture));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return null;
        }
    }
}
