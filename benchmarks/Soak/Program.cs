// The soak: mixed traffic on two API replicas for minutes while dependencies fail on a schedule, then an audit that
// nothing was lost or doubled. Not a test (a one-minute version is: SoakTests); run it with benchmarks/soak.sh.
// Usage: dotnet run -c Release --project benchmarks/Soak -- [minutes, default 10 | --quick (2 minutes)] [report folder]
using System.Globalization;
using Azora.Soak;

[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

var minutes = args.Length > 0 && args[0] == "--quick" ? 2.0 : args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 10.0;
var folder = args.Length > 1 ? args[1] : Path.Combine("benchmarks", "results");
var report = await SoakRun.RunAsync(SoakOptions.Full(TimeSpan.FromMinutes(minutes)), Console.Out, CancellationToken.None);
Directory.CreateDirectory(folder);
var file = Path.Combine(folder, $"soak-{DateTime.UtcNow:yyyyMMdd-HHmmss}.md");
await File.WriteAllTextAsync(file, report.Markdown);
Console.WriteLine();
Console.WriteLine(report.Markdown);
Console.WriteLine($"report: {file}");
return report.Ok ? 0 : 1;
