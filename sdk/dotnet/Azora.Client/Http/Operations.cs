namespace Azora.Client.Http;

/// <summary>The operations the pipeline treats apart, recognised by their paths (which the API keeps stable).</summary>
internal static class Operations
{
    /// <summary>Login, Register, RefreshTokens, VerifyEmail: they take no bearer, and their 401 is an answer, not a stale token.</summary>
    public static bool IsSignIn(HttpRequestMessage request) =>
        request.Method == HttpMethod.Post && (PathEndsWith(request, "/api/auth/login") || PathEndsWith(request, "/api/auth/register") || PathEndsWith(request, "/api/auth/refresh")
            || PathEndsWith(request, "/api/auth/verify-email"));

    /// <summary>Logout: sent with the bearer, but a 401 there is not worth a refresh.</summary>
    public static bool IsSignOut(HttpRequestMessage request) => request.Method == HttpMethod.Post && PathEndsWith(request, "/api/auth/logout");

    /// <summary>CreatePaymentIntent: takes an Idempotency-Key.</summary>
    public static bool IsCreatePaymentIntent(HttpRequestMessage request) => request.Method == HttpMethod.Post && PathEndsWith(request, "/api/pay/payment-intent");

    private static bool PathEndsWith(HttpRequestMessage request, string path) =>
        request.RequestUri is { } uri && (uri.IsAbsoluteUri ? uri.AbsolutePath : uri.OriginalString.Split('?')[0]).TrimEnd('/').EndsWith(path, StringComparison.OrdinalIgnoreCase);
}
