// The suite runs the real stack from the machine's PostgreSQL binaries and Unix file modes: Linux (and CI) only.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
