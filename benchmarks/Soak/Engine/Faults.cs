namespace Azora.Soak;

internal enum FaultKind
{
    /// <summary>PostgreSQL stopped and started at once through its resource commands.</summary>
    PostgresRestart,

    /// <summary>PostgreSQL stopped, held down (30 s in a full run), started.</summary>
    PostgresDown,

    /// <summary>The cache server SIGKILLed, then started again through its resource command.</summary>
    CacheKill,

    /// <summary>The payments worker's process tree SIGKILLed, then started again through its resource command.</summary>
    WorkerKill,

    /// <summary>API replica B (the soak's own process) SIGKILLed, then started again on the same port.</summary>
    ReplicaKill,

    /// <summary>A partner's webhook endpoint stops listening for minutes (connections refused), then comes back.</summary>
    ReceiverDown,
}

/// <summary>A fault to inject <paramref name="At"/> into the run, its dependency kept away for <paramref name="Hold"/>.</summary>
internal sealed record PlannedFault(FaultKind Kind, TimeSpan At, TimeSpan Hold)
{
    /// <summary>Whether clients of the API may see errors during it (a receiver's outage must not reach them).</summary>
    public bool AffectsApi => Kind != FaultKind.ReceiverDown;

    public string Describe() => Kind switch
    {
        FaultKind.PostgresRestart => "PostgreSQL restarted",
        FaultKind.PostgresDown => $"PostgreSQL down for {Hold.TotalSeconds:F0} s",
        FaultKind.CacheKill => $"cache server SIGKILLed, restarted after {Hold.TotalSeconds:F0} s",
        FaultKind.WorkerKill => $"payments worker SIGKILLed, restarted after {Hold.TotalSeconds:F0} s",
        FaultKind.ReplicaKill => $"API replica B SIGKILLed, restarted after {Hold.TotalSeconds:F0} s",
        FaultKind.ReceiverDown => $"webhook receiver 'steady' down for {Hold.TotalSeconds:F0} s",
        _ => Kind.ToString(),
    };
}

/// <summary>What happened when a fault ran: when it began, when its dependency was back, when clients were whole again.</summary>
internal sealed class FaultRecord(PlannedFault plan)
{
    public PlannedFault Plan { get; } = plan;

    public TimeSpan Started { get; set; }

    /// <summary>The dependency running (or listening) again.</summary>
    public TimeSpan? Back { get; set; }

    /// <summary>
    /// Clients whole again: for API faults, the end of the first probe round that began after <see cref="Back"/> and
    /// in which every request kind succeeded on both replicas; for a receiver, its backlog delivered.
    /// </summary>
    public TimeSpan? Recovered { get; set; }

    public string? Error { get; set; }
}

/// <summary>The schedule: which faults, when; it scales with the run's length.</summary>
internal static class FaultSchedule
{
    /// <summary>
    /// Every fault once, spread over the run after a warm-up tenth: PostgreSQL restarted, the cache killed, the worker
    /// killed, replica B killed, PostgreSQL down for 30 s (an eighth of the run when that is shorter), and a webhook
    /// receiver down for a fifth of the run (two minutes in ten).
    /// </summary>
    public static IReadOnlyList<PlannedFault> Full(TimeSpan duration) =>
    [
        new(FaultKind.PostgresRestart, duration * 0.10, TimeSpan.Zero),
        new(FaultKind.CacheKill, duration * 0.22, TimeSpan.FromSeconds(5)),
        new(FaultKind.WorkerKill, duration * 0.34, TimeSpan.FromSeconds(3)),
        new(FaultKind.ReplicaKill, duration * 0.46, TimeSpan.FromSeconds(3)),
        new(FaultKind.PostgresDown, duration * 0.58, TimeSpan.FromSeconds(Math.Min(30, duration.TotalSeconds / 8))),
        new(FaultKind.ReceiverDown, duration * 0.70, duration * 0.20),
    ];

    /// <summary>The test suite's minute: the cache killed, then the worker SIGKILLed.</summary>
    public static IReadOnlyList<PlannedFault> Short(TimeSpan duration) =>
    [
        new(FaultKind.CacheKill, duration * 0.2, TimeSpan.FromSeconds(3)),
        new(FaultKind.WorkerKill, duration * 0.55, TimeSpan.FromSeconds(2)),
    ];
}
