using Azora.AppHost.Infrastructure;

namespace Azora.Tests.Infrastructure;

/// <summary>A machine with exactly the capabilities a test gives it.</summary>
internal sealed class FakeMachine : IMachineProbe
{
    public bool RunsAsRoot { get; init; }
    public bool Docker { get; init; }
    public string? PostgresBin { get; init; } = "/usr/lib/postgresql/15/bin";
    public string? RedisServer { get; init; }
    public string GarnetDll { get; init; } = "/packages/garnet-server/GarnetServer.dll";

    public string? RequestedPostgresBin { get; private set; }

    public bool ContainerRuntimeAnswers() => Docker;

    public string? FindPostgresBinDirectory(string? configured)
    {
        RequestedPostgresBin = configured;
        return configured is null || configured == PostgresBin ? PostgresBin : null;
    }

    public string? FindOnPath(string executable) => executable == "redis-server" ? RedisServer : null;

    public string GarnetServerAssembly() => GarnetDll;
}
