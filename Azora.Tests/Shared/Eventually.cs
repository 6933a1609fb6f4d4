// Compiled into Azora.Tests and Azora.EndToEnd.
namespace Azora.Testing;

/// <summary>Polls for something another process does on its own time (a worker, a replica), within a bounded number of reads.</summary>
internal static class Eventually
{
    /// <summary>Reads until <paramref name="done"/> holds or the attempts run out, and returns the last value read; the caller asserts on it.</summary>
    public static async Task<T> ReadAsync<T>(Func<Task<T>> read, Func<T, bool> done, int attempts, TimeSpan pause)
    {
        var value = await read();
        for (var attempt = 1; attempt < attempts && !done(value); attempt++)
        {
            await Task.Delay(pause);
            value = await read();
        }

        return value;
    }
}
