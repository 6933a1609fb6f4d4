using System.ComponentModel.DataAnnotations;
using Azora.Api.OpenApi;

namespace Azora.Api.Auth.Recovery;

public sealed record PasswordResetRequest([property: Required, MaxLength(AuthEndpoints.MaximumEmailLength)] string? Email)
    : IOpenApiExample<PasswordResetRequest>
{
    public static PasswordResetRequest Example { get; } = new("ada@example.com");
}

/// <summary>The one answer to every well-formed reset request, whether or not an account uses the address.</summary>
public sealed record PasswordResetAcceptedResponse(string Message) : IOpenApiExample<PasswordResetAcceptedResponse>
{
    public static PasswordResetAcceptedResponse Example { get; } = new(PasswordResetEndpoints.AcceptedMessage);
}

/// <param name="Token">The <c>token</c> query parameter of the link in the reset mail.</param>
public sealed record PasswordResetConfirmRequest(
    [property: Required, MaxLength(PasswordResetEndpoints.MaximumTokenLength)] string? Token,
    [property: Required] string? NewPassword) : IOpenApiExample<PasswordResetConfirmRequest>
{
    public static PasswordResetConfirmRequest Example { get; } = new("hL3k0yE2c1pQmR8vXn5tWz7aBfD9sGj4uKo6iNqTr0M", "a longer passphrase than before");
}
