using System.ComponentModel.DataAnnotations;
using Azora.Api.OpenApi;

namespace Azora.Api.Auth;

public sealed record RegisterRequest(
    [property: Required, MaxLength(AuthEndpoints.MaximumEmailLength)] string? Email,
    [property: Required] string? Password,
    [property: Required, MaxLength(AuthEndpoints.MaximumNameLength)] string? Name) : IOpenApiExample<RegisterRequest>
{
    public static RegisterRequest Example { get; } = new("ada@example.com", "correct horse battery staple", "Ada Lovelace");
}

public sealed record LoginRequest([property: Required] string? Email, [property: Required] string? Password) : IOpenApiExample<LoginRequest>
{
    public static LoginRequest Example { get; } = new("ada@example.com", "correct horse battery staple");
}

public sealed record RefreshRequest([property: Required] string? RefreshToken) : IOpenApiExample<RefreshRequest>
{
    public static RefreshRequest Example { get; } = new("Qm9vdHN0cmFwLXJlZnJlc2gtdG9rZW4tZXhhbXBsZQ");
}

/// <summary>A field left out or null is unchanged; an empty bio clears it.</summary>
public sealed record UpdateProfileRequest(
    [property: MaxLength(AuthEndpoints.MaximumNameLength)] string? Name,
    [property: MaxLength(AuthEndpoints.MaximumBioLength)] string? Bio) : IOpenApiExample<UpdateProfileRequest>
{
    public static UpdateProfileRequest Example { get; } = new(null, "Data engineer learning SQL in the evenings.");
}

public sealed record ChangePasswordRequest([property: Required] string? CurrentPassword, [property: Required] string? NewPassword)
    : IOpenApiExample<ChangePasswordRequest>
{
    public static ChangePasswordRequest Example { get; } = new("correct horse battery staple", "a longer passphrase than before");
}

public sealed record UserResponse(Guid Id, string Email, string Name, [property: ClosedSet(typeof(Roles))] IReadOnlyList<string> Roles);

/// <summary><c>emailVerified</c> is false until the owner follows the verification link; until then the account cannot pay.</summary>
public sealed record ProfileResponse(
    Guid Id, string Email, string Name, string? Bio, [property: ClosedSet(typeof(Roles))] IReadOnlyList<string> Roles,
    DateTimeOffset CreatedAt, bool EmailVerified) : IOpenApiExample<ProfileResponse>
{
    public static ProfileResponse Example { get; } = new(
        Guid.Parse("5e8a1c3d-7b9f-4d2e-a6c4-8f0b2d4e6a8c"), "ada@example.com", "Ada Lovelace", "Data engineer learning SQL in the evenings.",
        [Auth.Roles.Learner], new DateTimeOffset(2026, 10, 2, 8, 15, 0, TimeSpan.Zero), true);
}

/// <summary>What login and refresh return. <c>expiresIn</c> is the access token's lifetime in seconds.</summary>
public sealed record TokenResponse(string AccessToken, string RefreshToken, string TokenType, int ExpiresIn, UserResponse User)
    : IOpenApiExample<TokenResponse>
{
    public static TokenResponse Example { get; } = new(
        "eyJhbGciOiJSUzI1NiIsImtpZCI6ImF6b3JhLTEiLCJ0eXAiOiJKV1QifQ.eyJzdWIiOiI1ZThhMWMzZCJ9.c2lnbmF0dXJl",
        "Qm9vdHN0cmFwLXJlZnJlc2gtdG9rZW4tZXhhbXBsZQ", "Bearer", 900,
        new UserResponse(ProfileResponse.Example.Id, ProfileResponse.Example.Email, ProfileResponse.Example.Name, [Auth.Roles.Learner]));
}
