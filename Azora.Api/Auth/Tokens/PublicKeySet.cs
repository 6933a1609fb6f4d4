namespace Azora.Api.Auth.Tokens;

/// <summary>A JSON Web Key Set (RFC 7517) of the public keys that verify access tokens.</summary>
public sealed record PublicKeySet(IReadOnlyList<PublicSigningKey> Keys);

/// <summary>One RSA public key (RFC 7518 §6.3): modulus <c>n</c> and exponent <c>e</c>, base64url.</summary>
public sealed record PublicSigningKey(string Kty, string Use, string Alg, string Kid, string N, string E);
