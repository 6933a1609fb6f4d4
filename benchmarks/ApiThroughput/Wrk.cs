using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Azora.Benchmarks;

/// <param name="NotOk">Responses outside 2xx/3xx plus socket errors (connect, read, write, timeout).</param>
internal sealed record WrkResult(long Requests, double PerSecond, double P50Ms, double P99Ms, long NotOk, string Output)
{
    /// <summary>A phase that got errors measured something else than the path: the run is broken, not slow.</summary>
    public WrkResult EnsureAllOk(string what) => NotOk == 0
        ? this
        : throw new InvalidOperationException($"{what}: {NotOk} of {Requests} requests failed (not 2xx/3xx, or socket errors):\n{Output}");
}

/// <summary>Debian's <c>wrk</c> (one thread, keep-alive connections), its summary and latency distribution read back.</summary>
internal static partial class Wrk
{
    /// <param name="headers">Sent with every request (<c>-H</c>).</param>
    /// <param name="paths">When given, requests cycle through these paths (a Lua script) instead of asking for <paramref name="url"/> only.</param>
    public static async Task<WrkResult> RunAsync(
        Uri url, TimeSpan duration, int connections, IReadOnlyDictionary<string, string>? headers = null, IReadOnlyList<string>? paths = null)
    {
        // A request that takes 10 s (wrk's own limit is 2 s) is a failure even on a machine busy with other work.
        List<string> arguments = ["-t1", $"-c{connections}", $"-d{Math.Max(1, (int)duration.TotalSeconds)}s", "--timeout", "10s", "--latency"];
        foreach (var (name, value) in headers ?? new Dictionary<string, string>())
        {
            arguments.AddRange(["-H", $"{name}: {value}"]);
        }

        string? script = null;
        if (paths is { Count: > 0 })
        {
            // One Lua state for wrk's one thread: its connections take the paths in turn.
            script = Path.Combine(Path.GetTempPath(), $"azora-wrk-{Guid.NewGuid():N}.lua");
            await File.WriteAllTextAsync(script,
                $"local paths = {{{string.Join(", ", paths.Select(path => $"\"{path}\""))}}}\n" +
                "local i = 0\n" +
                "request = function()\n  i = i % #paths + 1\n  return wrk.format(nil, paths[i])\nend\n");
            arguments.AddRange(["-s", script]);
        }

        arguments.Add(url.ToString());
        var start = new ProcessStartInfo("wrk", arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        try
        {
            using var process = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start: benchmarks/run.sh installs it.");
            var output = await process.StandardOutput.ReadToEndAsync();
            var errors = await process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            if (process.ExitCode != 0 || !Requests().IsMatch(output))
            {
                throw new InvalidOperationException($"wrk failed ({process.ExitCode}): {errors}{output}");
            }

            var requests = long.Parse(Requests().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
            var perSecond = double.Parse(PerSecond().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
            var notOk = NotOk().Match(output) is { Success: true } match ? long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
            var errorsMatch = SocketErrors().Match(output);
            if (errorsMatch.Success)
            {
                notOk += errorsMatch.Groups.Values.Skip(1).Sum(group => long.Parse(group.Value, CultureInfo.InvariantCulture));
            }

            return new WrkResult(requests, perSecond, Percentile(output, "50"), Percentile(output, "99"), notOk, output);
        }
        finally
        {
            if (script is not null)
            {
                File.Delete(script);
            }
        }
    }

    /// <summary>A line of the latency distribution that <c>--latency</c> prints, e.g. <c>     99%    4.40ms</c>, in milliseconds.</summary>
    private static double Percentile(string output, string percent)
    {
        var line = LatencyLine().Matches(output).FirstOrDefault(match => match.Groups[1].Value == percent)
            ?? throw new InvalidOperationException($"wrk printed no {percent}% latency:\n{output}");
        var value = double.Parse(line.Groups[2].Value, CultureInfo.InvariantCulture);
        return line.Groups[3].Value switch
        {
            "us" => value / 1000,
            "ms" => value,
            "s" => value * 1000,
            "m" => value * 60_000,
            var unit => throw new InvalidOperationException($"Unknown wrk unit '{unit}'."),
        };
    }

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex Requests();

    [GeneratedRegex(@"Requests/sec:\s+([\d.]+)")]
    private static partial Regex PerSecond();

    [GeneratedRegex(@"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m)\s*$", RegexOptions.Multiline)]
    private static partial Regex LatencyLine();

    [GeneratedRegex(@"Non-2xx or 3xx responses: (\d+)")]
    private static partial Regex NotOk();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();
}
