using System.ComponentModel.DataAnnotations;
using Azora.Api.Auth;
using Azora.Api.Auth.ApiKeys;
using Azora.Api.Education.Learning;
using Azora.Api.OpenApi;
using Azora.Api.Payments;
using Azora.Contract.Events;

namespace Azora.Api.Privacy;

public sealed record DeleteAccountRequest([property: Required] string? Password) : IOpenApiExample<DeleteAccountRequest>
{
    public static DeleteAccountRequest Example { get; } = new("correct horse battery staple");
}

/// <summary>Everything Azora keeps about the signed-in user, as <c>GET /api/auth/account/export</c> returns it.</summary>
public sealed record AccountExportResponse(
    DateTimeOffset ExportedAt,
    ExportedProfile Profile,
    IReadOnlyList<ExportedEnrollment> Enrollments,
    IReadOnlyList<ExportedPayment> Payments,
    IReadOnlyList<ExportedCertificate> Certificates,
    IReadOnlyList<ExportedApiKey> ApiKeys,
    IReadOnlyList<ExportedWebhookSubscription> WebhookSubscriptions) : IOpenApiExample<AccountExportResponse>
{
    public static AccountExportResponse Example { get; } = new(
        new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero),
        new ExportedProfile(
            Guid.Parse("5e8a1c3d-7b9f-4d2e-a6c4-8f0b2d4e6a8c"), "ada@example.com", "Ada Lovelace", "Data engineer learning SQL in the evenings.",
            [Auth.Roles.Learner], true, new DateTimeOffset(2026, 10, 2, 8, 20, 0, TimeSpan.Zero), new DateTimeOffset(2026, 10, 2, 8, 15, 0, TimeSpan.Zero)),
        [
            new ExportedEnrollment(
                Guid.Parse("0b6f7f4e-2d1c-4a8b-9e3f-5c7d9a1b3e5f"),
                new CourseRefForLearner(Guid.Parse("3c5e7a9b-1d3f-4b5d-8f1a-2c4e6a8b0d2f"), "sql-from-scratch", "SQL from scratch"),
                "active", new Progress(1, 4, 25), new DateTimeOffset(2026, 10, 3, 18, 0, 0, TimeSpan.Zero), null,
                [new ExportedLessonCompletion(Guid.Parse("7d9f1b3d-5f7a-4c9e-8b2d-4f6a8c0e2b4d"), "Tables and rows", new DateTimeOffset(2026, 10, 4, 19, 30, 0, TimeSpan.Zero))]),
        ],
        [
            new ExportedPayment(
                Guid.Parse("9b1d3f5a-7c9e-4b2d-8f4a-6c8e0a2b4d6f"), Guid.Parse("3c5e7a9b-1d3f-4b5d-8f1a-2c4e6a8b0d2f"), "SQL from scratch", 4900, "USD",
                "succeeded", new DateTimeOffset(2026, 10, 3, 17, 58, 0, TimeSpan.Zero), new DateTimeOffset(2026, 10, 3, 18, 0, 0, TimeSpan.Zero)),
        ],
        [],
        [],
        []);
}

public sealed record ExportedProfile(
    Guid Id, string Email, string Name, string? Bio, [property: ClosedSet(typeof(Roles))] IReadOnlyList<string> Roles,
    bool EmailVerified, DateTimeOffset? EmailVerifiedAt, DateTimeOffset CreatedAt);

/// <param name="CompletedLessons">Each lesson the user completed in this enrollment, with when.</param>
public sealed record ExportedEnrollment(
    Guid Id, CourseRefForLearner Course, [property: ClosedSet(typeof(EnrollmentResponse), nameof(EnrollmentResponse.Statuses))] string Status,
    Progress Progress, DateTimeOffset EnrolledAt, DateTimeOffset? CompletedAt, IReadOnlyList<ExportedLessonCompletion> CompletedLessons);

public sealed record ExportedLessonCompletion(Guid LessonId, string Title, DateTimeOffset CompletedAt);

/// <summary>A payment without its Stripe client secret (a credential, not data about the user).</summary>
public sealed record ExportedPayment(
    Guid Id, Guid CourseId, string CourseTitle, long Amount, string Currency, [property: ClosedSet(typeof(PaymentStatuses))] string Status,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record ExportedCertificate(Guid Id, Guid CourseId, string LearnerName, string CourseTitle, DateTimeOffset CompletedAt);

/// <summary>A key's metadata; the key itself is never stored, so it cannot be exported.</summary>
public sealed record ExportedApiKey(
    Guid Id, string Name, string KeyHint, [property: ClosedSet(typeof(ApiKeyScopes))] IReadOnlyList<string> Scopes,
    DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

/// <summary>A subscription without its signing secrets.</summary>
public sealed record ExportedWebhookSubscription(
    Guid Id, string Url, [property: ClosedSet(typeof(AzoraEvents), nameof(AzoraEvents.Names))] IReadOnlyList<string> Events,
    string? Description, bool Active, DateTimeOffset CreatedAt);
