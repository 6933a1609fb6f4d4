namespace Azora.Api.RateLimiting;

/// <summary>
/// Request feature set during authentication for a caller counted on a partition of its own instead of per user: an
/// API key is limited per key, so one integration cannot spend its owner's (or another key's) requests.
/// </summary>
public sealed record RateLimitSubject(string Partition);
