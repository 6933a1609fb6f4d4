namespace Azora.Api.Auth;

public sealed record RegisterRequest(string? Email, string? Password, string? Name);

public sealed record LoginRequest(string? Email, string? Password);

public sealed record RefreshRequest(string? RefreshToken);

public sealed record UpdateProfileRequest(string? Name, string? Bio);

public sealed record ChangePasswordRequest(string? CurrentPassword, string? NewPassword);

public sealed record UserResponse(Guid Id, string Email, string Name, IReadOnlyList<string> Roles);

public sealed record ProfileResponse(Guid Id, string Email, string Name, string? Bio, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt);

/// <summary>What register, login and refresh return. <c>expiresIn</c> is the access token's lifetime in seconds.</summary>
public sealed record TokenResponse(string AccessToken, string RefreshToken, string TokenType, int ExpiresIn, UserResponse User);
