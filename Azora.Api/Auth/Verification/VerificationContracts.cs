using System.ComponentModel.DataAnnotations;
using Azora.Api.OpenApi;

namespace Azora.Api.Auth.Verification;

/// <summary>
/// What register, resend and the email change answer: the address a message went to. Register answers exactly this
/// whether or not the address already had an account, so the answer never tells who is registered.
/// </summary>
public sealed record VerificationSentResponse(string Email, bool VerificationSent) : IOpenApiExample<VerificationSentResponse>
{
    public static VerificationSentResponse Example { get; } = new("ada@example.com", true);
}

/// <summary>The <c>token</c> query parameter of the link in a verification mail.</summary>
public sealed record VerifyEmailRequest([property: Required, MaxLength(EmailVerificationEndpoints.MaximumTokenLength)] string? Token)
    : IOpenApiExample<VerifyEmailRequest>
{
    public static VerifyEmailRequest Example { get; } = new("k3Jd9sQ0bW1xVn7pZr2tYc5uLh8aEf4gMi6oNq0sTu2");
}

public sealed record ChangeEmailRequest(
    [property: Required, MaxLength(AuthEndpoints.MaximumEmailLength)] string? Email,
    [property: Required] string? CurrentPassword) : IOpenApiExample<ChangeEmailRequest>
{
    public static ChangeEmailRequest Example { get; } = new("ada.lovelace@example.org", "correct horse battery staple");
}
