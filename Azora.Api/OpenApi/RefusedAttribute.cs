namespace Azora.Api.OpenApi;

/// <summary>
/// A request member the API reads only to refuse it with a 400 naming it (such as a client-chosen price); the contract
/// leaves it out, so no client generated from it can send it.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class RefusedAttribute : Attribute;
