using System.Text;
using Azora.Client;
using Azora.Tests.Api;

namespace Azora.Tests.Sdk;

/// <summary>
/// <see cref="AzoraWebhooks.Verify(string, string?, string, TimeSpan?, TimeProvider?)"/> against signatures made the
/// documented way (independently of the SDK: <see cref="SignedEvents"/>): accepted, tampered, stale, rotated, malformed.
/// </summary>
public sealed class AzoraWebhooksTests
{
    private const string Secret = "whsec_current", OldSecret = "whsec_previous";
    private static readonly Guid EventId = Guid.Parse("01a21b4c-5d6e-7f80-9a1b-2c3d4e5f6a7b");

    private static readonly string Body =
        "{\"id\":\"" + EventId + "\",\"type\":\"course.enrolled\",\"createdAt\":\"2026-11-30T12:00:00.1+00:00\"," +
        "\"data\":{\"courseId\":\"0e6a0000-0000-0000-0000-000000000001\",\"userId\":\"01a1…\"}}";

    private readonly ManualTime _time = new();

    private long Now => _time.GetUtcNow().ToUnixTimeSeconds();

    [Fact]
    public void A_delivery_signed_with_the_secret_is_returned_as_its_event()
    {
        var delivery = AzoraWebhooks.Verify(Body, SignedEvents.Sign(Body, Secret, Now), Secret, timeProvider: _time);

        Assert.Equal(EventId, delivery.Id);
        Assert.Equal(AzoraEventTypes.CourseEnrolled, delivery.Type);
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 12, 0, 0, 100, TimeSpan.Zero), delivery.CreatedAt);
        Assert.Equal("0e6a0000-0000-0000-0000-000000000001", delivery.Data.GetProperty("courseId").GetString());
        Assert.Equal(Guid.Parse("0e6a0000-0000-0000-0000-000000000001"), delivery.DataAs<Enrolled>()!.CourseId);
    }

    [Fact]
    public void The_raw_bytes_verify_as_the_text_does()
    {
        var delivery = AzoraWebhooks.Verify(Encoding.UTF8.GetBytes(Body), SignedEvents.Sign(Body, Secret, Now), [Secret], timeProvider: _time);

        Assert.Equal(EventId, delivery.Id);
    }

    [Fact]
    public void A_changed_body_is_refused()
    {
        var header = SignedEvents.Sign(Body, Secret, Now);

        var refused = Assert.Throws<AzoraWebhookVerificationException>(() =>
            AzoraWebhooks.Verify(Body.Replace("course.enrolled", "course.completed"), header, Secret, timeProvider: _time));

        Assert.Equal(AzoraWebhookFailure.SignatureMismatch, refused.Failure);
    }

    [Fact]
    public void A_changed_timestamp_is_refused()
    {
        var header = SignedEvents.Sign(Body, Secret, Now).Replace($"t={Now}", $"t={Now - 1}");

        Assert.Equal(AzoraWebhookFailure.SignatureMismatch, Assert.Throws<AzoraWebhookVerificationException>(() => AzoraWebhooks.Verify(Body, header, Secret, timeProvider: _time)).Failure);
    }

    [Fact]
    public void A_wrong_secret_is_refused()
    {
        var header = SignedEvents.Sign(Body, Secret, Now);

        Assert.Equal(AzoraWebhookFailure.SignatureMismatch, Assert.Throws<AzoraWebhookVerificationException>(() => AzoraWebhooks.Verify(Body, header, "whsec_wrong", timeProvider: _time)).Failure);
    }

    [Theory]
    [InlineData(-301)]
    [InlineData(301)]
    public void A_signature_older_or_newer_than_five_minutes_is_stale(int seconds)
    {
        var header = SignedEvents.Sign(Body, Secret, Now + seconds);

        Assert.Equal(AzoraWebhookFailure.Stale, Assert.Throws<AzoraWebhookVerificationException>(() => AzoraWebhooks.Verify(Body, header, Secret, timeProvider: _time)).Failure);
    }

    [Theory]
    [InlineData(-300)]
    [InlineData(300)]
    public void A_signature_five_minutes_away_is_still_accepted(int seconds)
    {
        Assert.Equal(EventId, AzoraWebhooks.Verify(Body, SignedEvents.Sign(Body, Secret, Now + seconds), Secret, timeProvider: _time).Id);
    }

    [Fact]
    public void The_tolerance_can_be_narrowed()
    {
        var header = SignedEvents.Sign(Body, Secret, Now - 61);

        Assert.Equal(AzoraWebhookFailure.Stale, Assert.Throws<AzoraWebhookVerificationException>(() =>
            AzoraWebhooks.Verify(Body, header, Secret, TimeSpan.FromMinutes(1), _time)).Failure);
    }

    [Fact]
    public void During_a_rotation_either_secret_verifies_the_header_with_two_signatures()
    {
        var header = $"t={Now},v1={SignedEvents.Hex(Secret, Now.ToString(), Body)},v1={SignedEvents.Hex(OldSecret, Now.ToString(), Body)}";

        Assert.Equal(EventId, AzoraWebhooks.Verify(Body, header, Secret, timeProvider: _time).Id);
        Assert.Equal(EventId, AzoraWebhooks.Verify(Body, header, OldSecret, timeProvider: _time).Id);
        Assert.Equal(AzoraWebhookFailure.SignatureMismatch, Assert.Throws<AzoraWebhookVerificationException>(() => AzoraWebhooks.Verify(Body, header, "whsec_other", timeProvider: _time)).Failure);
    }

    [Fact]
    public void Several_secrets_accept_a_signature_by_any_of_them()
    {
        var signedWithOld = SignedEvents.Sign(Body, OldSecret, Now);

        Assert.Equal(EventId, AzoraWebhooks.Verify(Body, signedWithOld, [Secret, OldSecret], timeProvider: _time).Id);
        Assert.Throws<AzoraWebhookVerificationException>(() => AzoraWebhooks.Verify(Body, signedWithOld, [Secret, "whsec_other"], timeProvider: _time));
    }

    [Fact]
    public void A_scheme_other_than_v1_is_ignored()
    {
        var header = $"t={Now},v0=deadbeef,v1={SignedEvents.Hex(Secret, Now.ToString(), Body)}";

        Assert.Equal(EventId, AzoraWebhooks.Verify(Body, header, Secret, timeProvider: _time).Id);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("v1=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("t=1764504000")]
    [InlineData("t=soon,v1=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("t=-1764504000,v1=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("t=1764504000,v1=not-hex")]
    [InlineData("t=1764504000,v1=00")]
    [InlineData("t=1764504000,t=1764504001,v1=0000000000000000000000000000000000000000000000000000000000000000")]
    [InlineData("t=1764504000;v1=0000000000000000000000000000000000000000000000000000000000000000")]
    public void A_header_not_in_the_documented_form_is_malformed(string? header)
    {
        Assert.Equal(AzoraWebhookFailure.Malformed, Assert.Throws<AzoraWebhookVerificationException>(() => AzoraWebhooks.Verify(Body, header, Secret, timeProvider: _time)).Failure);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2,3]")]
    [InlineData("""{"type":"ping","createdAt":"2026-11-30T12:00:00+00:00","data":{}}""")]
    [InlineData("""{"id":"not-a-uuid","type":"ping","createdAt":"2026-11-30T12:00:00+00:00","data":{}}""")]
    public void A_correctly_signed_body_that_is_not_an_event_envelope_is_malformed(string body)
    {
        var header = SignedEvents.Sign(body, Secret, Now);

        Assert.Equal(AzoraWebhookFailure.Malformed, Assert.Throws<AzoraWebhookVerificationException>(() => AzoraWebhooks.Verify(body, header, Secret, timeProvider: _time)).Failure);
    }

    [Fact]
    public void No_secret_or_an_empty_one_is_a_mistake_of_the_caller()
    {
        var header = SignedEvents.Sign(Body, Secret, Now);

        Assert.Throws<ArgumentException>(() => AzoraWebhooks.Verify(Body, header, Array.Empty<string>(), timeProvider: _time));
        Assert.Throws<ArgumentException>(() => AzoraWebhooks.Verify(Body, header, "", timeProvider: _time));
    }

    [Fact]
    public void Sign_writes_the_header_the_documented_scheme_verifies()
    {
        var header = AzoraWebhooks.Sign(Body, _time.GetUtcNow(), Secret, OldSecret);

        Assert.Equal($"t={Now},v1={SignedEvents.Hex(Secret, Now.ToString(), Body)},v1={SignedEvents.Hex(OldSecret, Now.ToString(), Body)}", header);
    }

    private sealed record Enrolled(Guid CourseId);
}
