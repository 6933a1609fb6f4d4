using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace Azora.Api.Auth.Tokens;

/// <summary>The RSA keys that sign access tokens (one) and verify them (all), loaded once at start-up.</summary>
public sealed class SigningKeyRing
{
    private const int DevelopmentKeySize = 2048;

    public SigningKeyRing(IReadOnlyList<RsaSecurityKey> keys)
    {
        if (keys.Count == 0)
        {
            throw new InvalidOperationException("No JWT signing key is configured.");
        }

        VerificationKeys = keys;
        var signing = keys.FirstOrDefault(key => key.PrivateKeyStatus == PrivateKeyStatus.Exists)
            ?? throw new InvalidOperationException("None of the configured JWT keys has a private part to sign with.");
        SigningCredentials = new SigningCredentials(signing, SecurityAlgorithms.RsaSha256);
    }

    public SigningCredentials SigningCredentials { get; }

    public IReadOnlyList<RsaSecurityKey> VerificationKeys { get; }

    /// <summary>The public keys as a JSON Web Key Set (RFC 7517).</summary>
    public PublicKeySet ToJwks() => new(VerificationKeys.Select(key =>
    {
        var parameters = key.Rsa.ExportParameters(includePrivateParameters: false);
        return new PublicSigningKey(
            "RSA", "sig", SecurityAlgorithms.RsaSha256, key.KeyId, Base64UrlEncoder.Encode(parameters.Modulus), Base64UrlEncoder.Encode(parameters.Exponent));
    }).ToArray());

    public static SigningKeyRing Load(AuthOptions options, IHostEnvironment environment, ILogger logger)
    {
        if (options.SigningKeys.Count > 0)
        {
            return new SigningKeyRing(options.SigningKeys.Select(key => FromPem(key.Pem, key.KeyId)).ToArray());
        }

        if (!environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                "Azora:Auth:SigningKeys is empty. Outside Development the JWT signing key must come from configuration " +
                "(the azora-jwt Secret in Kubernetes); see docs/deployment/INFRASTRUCTURE-GUIDE.md.");
        }

        var file = options.DevelopmentKeyFile ?? Path.Combine(environment.ContentRootPath, ".azora", "jwt-signing-key.pem");
        return new SigningKeyRing([FromPem(ReadOrCreateDevelopmentKey(file, logger), keyId: null)]);
    }

    public static RsaSecurityKey FromPem(string pem, string? keyId)
    {
        var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            rsa.Dispose();
            throw new InvalidOperationException("A configured JWT signing key is not a valid RSA key in PEM.", ex);
        }

        var key = new RsaSecurityKey(rsa);
        key.KeyId = keyId ?? Base64UrlEncoder.Encode(key.ComputeJwkThumbprint());
        return key;
    }

    /// <summary>Creates the file atomically, so API replicas started together end up with the same key.</summary>
    private static string ReadOrCreateDevelopmentKey(string file, ILogger logger)
    {
        if (File.Exists(file))
        {
            return File.ReadAllText(file);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
        using var rsa = RSA.Create(DevelopmentKeySize);
        var pem = rsa.ExportPkcs8PrivateKeyPem();
        var temporary = $"{file}.{Environment.ProcessId}.tmp";
        File.WriteAllText(temporary, pem);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        try
        {
            File.Move(temporary, file, overwrite: false);
            logger.LogInformation("Generated a Development JWT signing key in {KeyFile}", file);
            return pem;
        }
        catch (IOException) when (File.Exists(file))
        {
            File.Delete(temporary);
            return File.ReadAllText(file);
        }
    }
}
