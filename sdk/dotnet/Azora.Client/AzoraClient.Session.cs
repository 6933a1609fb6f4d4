using Azora.Client.Generated.Models;
using Azora.Client.Http;
using Microsoft.Kiota.Abstractions;

namespace Azora.Client;

public sealed partial class AzoraClient
{
    /// <summary>Raised when the session changes: signed in, refreshed (a new refresh token to store), restored,
    /// signed out, or ended because the API refused its refresh token. The argument is the new session, or null.</summary>
    public event EventHandler<AzoraSession?>? SessionChanged;

    /// <summary>The signed-in session, or null.</summary>
    public AzoraSession? Session => _sessions.Session;

    /// <summary>The API key sent instead of a session's access token, or null.</summary>
    public string? ApiKey => _sessions.ApiKey;

    /// <summary>
    /// Signs in (operation <c>Login</c>) and keeps the tokens: from now on every request carries the access token,
    /// refreshed shortly before it expires. <c>401 INVALID_CREDENTIALS</c>, <c>403 ACCOUNT_DISABLED</c> and
    /// <c>429 RATE_LIMIT_EXCEEDED</c> are thrown as <see cref="AzoraApiException"/>.
    /// </summary>
    public async Task<AzoraSession> SignInAsync(string email, string password, CancellationToken cancellationToken = default)
    {
        var session = await SessionFromAsync(SendAsync(
            Method.POST, "/api/auth/login", new JsonBody(("email", email), ("password", password)), TokenResponse.CreateFromDiscriminatorValue, cancellationToken: cancellationToken)).ConfigureAwait(false);
        _sessions.Set(session);
        return session;
    }

    /// <summary>
    /// Creates a learner account (operation <c>Register</c>, which mails a verification link and answers 202 without
    /// tokens) and then signs in with the same email and password, as <see cref="SignInAsync"/> does. The API answers
    /// register the same way for an email that already has an account, so that case surfaces here as the sign-in's
    /// <c>401 INVALID_CREDENTIALS</c> (unless the password is that account's). The account cannot pay until its email
    /// is verified (<see cref="VerifyEmailAsync"/>).
    /// </summary>
    public async Task<AzoraSession> RegisterAsync(string email, string password, string name, CancellationToken cancellationToken = default)
    {
        await SendAsync(
            Method.POST, "/api/auth/register", new JsonBody(("email", email), ("password", password), ("name", name)),
            VerificationSentResponse.CreateFromDiscriminatorValue, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await SignInAsync(email.Trim(), password, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Exchanges the refresh token for a new pair now (operation <c>RefreshTokens</c>). Not needed in the ordinary
    /// course: the client refreshes by itself. A refused refresh (<c>401 INVALID_REFRESH_TOKEN</c>,
    /// <c>401 SESSION_EXPIRED</c>) ends the session and is thrown: sign in again.
    /// </summary>
    public async Task<AzoraSession> RefreshAsync(CancellationToken cancellationToken = default)
    {
        var session = _sessions.Session ?? throw new InvalidOperationException("Not signed in: there is no session to refresh.");
        return await _sessions.RefreshAsync(session, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The session ended while it was being refreshed.");
    }

    /// <summary>
    /// Signs out (operation <c>Logout</c>): the API refuses the session's tokens from then on, on every replica. The
    /// client forgets the session even when the API had already ended it.
    /// </summary>
    public async Task SignOutAsync(CancellationToken cancellationToken = default)
    {
        if (_sessions.Session is null)
        {
            return;
        }

        try
        {
            await Api.Api.Auth.Logout.PostAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (AzoraApiException ended) when (ended.Status == 401)
        {
            // Already signed out, expired or revoked: the outcome the caller asked for.
        }
        finally
        {
            _sessions.Set(null);
        }
    }

    /// <summary>Sends a partner API key (<c>azk_…</c>) from now on instead of a session's token; null stops sending it.</summary>
    public void UseApiKey(string? apiKey) => _sessions.ApiKey = apiKey;

    /// <summary>Restores a session kept from earlier (see <see cref="SessionChanged"/>); null forgets the current one.</summary>
    public void UseSession(AzoraSession? session) => _sessions.Set(session);

    private async Task<AzoraSession> SessionFromAsync(Task<TokenResponse?> tokens) =>
        AzoraSession.From(Required(await tokens.ConfigureAwait(false), "the token answer"), _time);
}
