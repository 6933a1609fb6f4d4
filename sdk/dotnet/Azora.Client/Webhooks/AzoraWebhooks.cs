using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Azora.Client;

/// <summary>
/// Verifies Azora's webhook deliveries. Each is signed <c>Azora-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex&gt;</c>,
/// the hex being HMAC-SHA256 of <c>&lt;t&gt;.&lt;raw body&gt;</c> keyed with the subscription's secret; after a secret
/// rotation the header carries one <c>v1</c> per secret. Verify the raw body exactly as received, before parsing it.
/// </summary>
public static class AzoraWebhooks
{
    /// <summary>The header with the signature.</summary>
    public const string SignatureHeader = "Azora-Signature";

    /// <summary>The header with the event's id (the envelope's <c>id</c>).</summary>
    public const string EventIdHeader = "Azora-Event-Id";

    /// <summary>The header with the event's type.</summary>
    public const string EventTypeHeader = "Azora-Event-Type";

    /// <summary>The header with the delivery's id (one event has one delivery per subscription).</summary>
    public const string DeliveryIdHeader = "Azora-Delivery-Id";

    /// <summary>How far a signature's timestamp may be from now, either way, unless told otherwise: 5 minutes.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    private const int SignatureBytes = 32;

    /// <summary>
    /// Returns the event when some <c>v1</c> of <paramref name="signatureHeader"/> is the signature of
    /// <paramref name="payload"/> with <paramref name="secret"/> and its time is within <paramref name="tolerance"/>
    /// (default 5 minutes) of <paramref name="timeProvider"/>'s (default the system clock); otherwise throws
    /// <see cref="AzoraWebhookVerificationException"/>.
    /// </summary>
    public static AzoraWebhookEvent Verify(string payload, string? signatureHeader, string secret, TimeSpan? tolerance = null, TimeProvider? timeProvider = null) =>
        Verify(payload, signatureHeader, [secret], tolerance, timeProvider);

    /// <summary>As <see cref="Verify(string, string?, string, TimeSpan?, TimeProvider?)"/>, accepting a signature by any
    /// of <paramref name="secrets"/> (the new and the old one while you roll a rotated secret out).</summary>
    public static AzoraWebhookEvent Verify(string payload, string? signatureHeader, IEnumerable<string> secrets, TimeSpan? tolerance = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return Verify(Encoding.UTF8.GetBytes(payload), signatureHeader, secrets, tolerance, timeProvider);
    }

    /// <summary>As <see cref="Verify(string, string?, IEnumerable{string}, TimeSpan?, TimeProvider?)"/>, for the raw
    /// body's bytes as received.</summary>
    public static AzoraWebhookEvent Verify(ReadOnlySpan<byte> payload, string? signatureHeader, IEnumerable<string> secrets, TimeSpan? tolerance = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var keys = secrets.ToList();
        if (keys.Count == 0 || keys.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("Give at least one secret, and no empty one.", nameof(secrets));
        }

        var (timestamp, signatures) = Parse(signatureHeader);

        // "<t>." followed by the body, exactly as the sender signed it.
        var prefix = Encoding.ASCII.GetBytes($"{timestamp.ToString(CultureInfo.InvariantCulture)}.");
        var signed = new byte[prefix.Length + payload.Length];
        prefix.CopyTo(signed, 0);
        payload.CopyTo(signed.AsSpan(prefix.Length));

        var matched = false;
        foreach (var key in keys)
        {
            var expected = HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), signed);
            foreach (var signature in signatures)
            {
                // Every candidate is compared in full, in constant time; no early exit tells a forger how close they came.
                matched |= CryptographicOperations.FixedTimeEquals(expected, signature);
            }
        }

        if (!matched)
        {
            throw new AzoraWebhookVerificationException(AzoraWebhookFailure.SignatureMismatch, "No signature matches this body with the secrets given.");
        }

        var age = (timeProvider ?? TimeProvider.System).GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(timestamp);
        if (age.Duration() > (tolerance ?? DefaultTolerance))
        {
            throw new AzoraWebhookVerificationException(AzoraWebhookFailure.Stale, $"The signature was made {age.TotalSeconds:0} s from now, beyond the tolerance of {(tolerance ?? DefaultTolerance).TotalSeconds:0} s.");
        }

        return ReadEvent(payload);
    }

    /// <summary>
    /// The <c>Azora-Signature</c> header Azora would send for <paramref name="payload"/> at
    /// <paramref name="timestamp"/>, one <c>v1</c> per secret: for testing your own endpoint.
    /// </summary>
    public static string Sign(string payload, DateTimeOffset timestamp, params string[] secrets)
    {
        ArgumentNullException.ThrowIfNull(payload);
        if (secrets.Length == 0)
        {
            throw new ArgumentException("Give at least one secret.", nameof(secrets));
        }

        var t = timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var signed = Encoding.UTF8.GetBytes($"{t}.{payload}");
        return $"t={t}," + string.Join(',', secrets.Select(secret => $"v1={Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed)).ToLowerInvariant()}"));
    }

    private static (long Timestamp, List<byte[]> Signatures) Parse(string? header)
    {
        if (string.IsNullOrWhiteSpace(header))
        {
            throw Malformed("There is no Azora-Signature header.");
        }

        long? timestamp = null;
        var signatures = new List<byte[]>();
        foreach (var element in header.Split(','))
        {
            var pair = element.Trim().Split('=', 2);
            if (pair.Length != 2)
            {
                throw Malformed($"'{element.Trim()}' is not a key=value pair.");
            }

            switch (pair[0])
            {
                case "t" when timestamp is not null:
                    throw Malformed("The header has more than one timestamp.");
                case "t":
                    timestamp = pair[1].Length is > 0 and <= 12 && pair[1].All(char.IsAsciiDigit)
                        ? long.Parse(pair[1], CultureInfo.InvariantCulture)
                        : throw Malformed($"The timestamp '{pair[1]}' is not Unix seconds.");
                    break;
                case "v1":
                    signatures.Add(pair[1].Length == SignatureBytes * 2 && pair[1].All(char.IsAsciiHexDigit)
                        ? Convert.FromHexString(pair[1])
                        : throw Malformed("A v1 signature is not 64 hexadecimal digits."));
                    break;
                default:
                    // Another scheme (a future v2): not ours to judge.
                    break;
            }
        }

        return (timestamp ?? throw Malformed("The header has no timestamp (t=…)."),
            signatures.Count > 0 ? signatures : throw Malformed("The header has no v1 signature."));
    }

    private static AzoraWebhookEvent ReadEvent(ReadOnlySpan<byte> payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload.ToArray());
            var envelope = document.RootElement;
            return envelope.ValueKind == JsonValueKind.Object
                && envelope.TryGetProperty("id", out var id) && id.TryGetGuid(out var eventId)
                && envelope.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
                && envelope.TryGetProperty("createdAt", out var createdAt) && createdAt.TryGetDateTimeOffset(out var created)
                && envelope.TryGetProperty("data", out var data)
                ? new AzoraWebhookEvent(eventId, type.GetString()!, created, data.Clone())
                : throw Malformed("The body is not an Azora event envelope (id, type, createdAt, data).");
        }
        catch (JsonException)
        {
            throw Malformed("The body is not JSON.");
        }
    }

    private static AzoraWebhookVerificationException Malformed(string message) => new(AzoraWebhookFailure.Malformed, message);
}
