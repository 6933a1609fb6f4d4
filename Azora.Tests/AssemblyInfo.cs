// The suite runs the real stack from the machine's PostgreSQL binaries and Unix file modes: Linux (and CI) only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

// Each stack (the shared fixture, the AppHost process tests, the extra API instances) is a dozen processes; on a
// two-core machine two of them starting at once starve DCP's API server. One collection at a time keeps runs steady.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
