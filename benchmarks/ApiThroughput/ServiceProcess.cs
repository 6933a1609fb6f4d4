using System.Diagnostics;
using System.Text;

namespace Azora.Benchmarks;

/// <summary>One service from its Release output (<c>dotnet Service.dll</c>), its output kept for when it fails.</summary>
internal sealed class ServiceProcess : IDisposable
{
    private readonly Process _process;
    private readonly Uri _address;
    private readonly StringBuilder _output = new();
    private readonly string _name;
    private bool _disposed;

    private ServiceProcess(Process process, Uri address, string name)
    {
        _process = process;
        _address = address;
        _name = name;
    }

    /// <summary>A project of the repository, <paramref name="project"/> being both its folder and its assembly's name.</summary>
    public static ServiceProcess Start(string root, string project, Uri address, Dictionary<string, string> environment, params string[] arguments) =>
        StartIn(Path.Combine(root, project), project, address, environment, arguments);

    /// <summary>The project in <paramref name="projectDirectory"/> whose assembly is <paramref name="assemblyName"/>.</summary>
    public static ServiceProcess StartIn(string projectDirectory, string assemblyName, Uri address, Dictionary<string, string> environment, params string[] arguments)
    {
        var output = Path.Combine(projectDirectory, "bin", "Release", "net10.0");
        var assembly = Path.Combine(output, $"{assemblyName}.dll");
        if (!File.Exists(assembly))
        {
            throw new InvalidOperationException($"{assembly} is missing: build {assemblyName} in Release first.");
        }

        var start = new ProcessStartInfo("dotnet", [assembly, .. arguments])
        {
            WorkingDirectory = output,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.Environment["ASPNETCORE_URLS"] = address.ToString();
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start)!;
        var service = new ServiceProcess(process, address, assemblyName);
        process.OutputDataReceived += (_, line) => service.Keep(line.Data);
        process.ErrorDataReceived += (_, line) => service.Keep(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    public Uri Address => _address;

    /// <summary>The process id, for attaching dotnet-trace or dotnet-counters.</summary>
    public int Id => _process.Id;

    public TimeSpan Cpu()
    {
        _process.Refresh();
        return _process.TotalProcessorTime;
    }

    /// <param name="path">A path that answers 2xx once the service is ready.</param>
    public async Task WaitHealthyAsync(string path = "/health")
    {
        using var http = new HttpClient { BaseAddress = _address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                break;
            }

            try
            {
                using var response = await http.GetAsync(path);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            await Task.Delay(250);
        }

        throw new InvalidOperationException($"{_name} did not become healthy at {_address}:\n{Output()}");
    }

    /// <summary>Stops the service; a second call does nothing.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }

    /// <summary>The repository's root, found above the benchmark's output.</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Azora.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Run from the repository (no Azora.sln above the benchmark's output).");
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            // The last lines are enough to say why a start failed; a long run must not grow without bound.
            if (_output.Length > 64_000)
            {
                _output.Remove(0, 32_000);
            }

            _output.AppendLine(line);
        }
    }

    /// <summary>What the service wrote lately (the last 64,000 characters at most).</summary>
    public string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }
}
