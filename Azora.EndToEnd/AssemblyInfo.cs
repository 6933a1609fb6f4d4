// The local stack runs from the machine's PostgreSQL binaries with Unix file modes: Linux (and CI) only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

// Journeys share one stack (or one deployed environment) and run one after another, like a person would use it.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
