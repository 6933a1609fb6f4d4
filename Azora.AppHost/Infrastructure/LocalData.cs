namespace Azora.AppHost.Infrastructure;

/// <summary><c>dotnet run --project Azora.AppHost -- --reset-data</c>: deletes the local runs' state (stop the stack first).</summary>
internal static class LocalData
{
    public static int Reset(string dataDirectory)
    {
        var pidFile = Path.Combine(dataDirectory, "postgres", "postmaster.pid");
        if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), out var pid) && Directory.Exists($"/proc/{pid}"))
        {
            Console.Error.WriteLine($"PostgreSQL (pid {pid}) still runs on {dataDirectory}: stop the stack, then reset.");
            return 1;
        }

        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }

        Console.WriteLine($"Local data reset: {dataDirectory} removed. The next run starts with an empty database.");
        return 0;
    }
}
