using Azora.Client.Generated.Models;
using Azora.Client.Http;
using Microsoft.Kiota.Abstractions;

namespace Azora.Client;

public sealed partial class AzoraClient
{
    /// <summary>
    /// Starts paying for a course (operation <c>CreatePaymentIntent</c>): hand the answer's <c>ClientSecret</c> to
    /// Stripe.js; the enrollment follows the payment. The request carries <paramref name="idempotencyKey"/>, or a new
    /// one when it is null, and keeps it on every retry, so one call never makes two payments.
    /// </summary>
    public async Task<PaymentIntentResponse> CreatePaymentIntentAsync(Guid courseId, string? currency = null, string? idempotencyKey = null, CancellationToken cancellationToken = default) =>
        Required(await SendAsync(
            Method.POST, "/api/pay/payment-intent", new JsonBody(("courseId", courseId), ("currency", currency)), PaymentIntentResponse.CreateFromDiscriminatorValue,
            request => request.Headers.Add(IdempotencyHandler.Header, idempotencyKey ?? Guid.NewGuid().ToString()),
            cancellationToken).ConfigureAwait(false));

    /// <summary>One page of my payments, newest first (operation <c>ListPayments</c>).</summary>
    public Task<AzoraPage<PaymentResponse>> ListPaymentsAsync(int page = 1, int limit = 20, CancellationToken cancellationToken = default) =>
        PageAsync(
            Api.Api.Pay.Payments.ToGetRequestInformation(), [], page, limit,
            PagedResponseOfPaymentResponse.CreateFromDiscriminatorValue, answer => answer.Data, answer => answer.Pagination, cancellationToken);

    /// <summary>Every one of my payments.</summary>
    public IAsyncEnumerable<PaymentResponse> ListAllPaymentsAsync(int pageSize = 100, CancellationToken cancellationToken = default) =>
        EveryItemAsync((page, token) => ListPaymentsAsync(page, pageSize, token), cancellationToken);

    /// <summary>One of my payments (operation <c>GetPayment</c>): poll it after confirming with Stripe.</summary>
    public async Task<PaymentResponse> GetPaymentAsync(Guid paymentId, CancellationToken cancellationToken = default) =>
        Required(await Api.Api.Pay.Payments[paymentId].GetAsync(cancellationToken: cancellationToken).ConfigureAwait(false));
}
