namespace Azora.Client.Http;

/// <summary>
/// Gives a payment-intent creation an <c>Idempotency-Key</c> when the caller did not, before any retry: every retry
/// of the request (after a 429, after a refreshed token) then carries the same key, so the API makes one payment
/// whatever reached it.
/// </summary>
internal sealed class IdempotencyHandler : DelegatingHandler
{
    public const string Header = "Idempotency-Key";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (Operations.IsCreatePaymentIntent(request) && !request.Headers.Contains(Header))
        {
            request.Headers.TryAddWithoutValidation(Header, Guid.NewGuid().ToString());
        }

        return base.SendAsync(request, cancellationToken);
    }
}
