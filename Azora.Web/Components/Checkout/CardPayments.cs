using Azora.Client.Generated.Models;

namespace Azora.Web.Components.Checkout;

/// <summary>Where a buyer confirms a payment intent, and the page Stripe (or its emulator) sends them back to.</summary>
public static class CardPayments
{
    public static bool Available(StripeCheckoutOptions options) =>
        !string.IsNullOrWhiteSpace(options.EmulatorUrl) || !string.IsNullOrWhiteSpace(options.PublishableKey);

    public static string CompletePath(string slug, Guid paymentId) => $"/checkout/{Uri.EscapeDataString(slug)}/complete?payment={paymentId}";

    /// <summary>The emulator's test checkout page when there is an emulator, else the portal's Payment Element page.</summary>
    public static string ConfirmUrl(StripeCheckoutOptions options, string slug, PaymentIntentResponse intent, string completeUrl) =>
        string.IsNullOrWhiteSpace(options.EmulatorUrl)
            ? $"/checkout/{Uri.EscapeDataString(slug)}/pay?payment={intent.PaymentId}"
            : $"{options.EmulatorUrl.TrimEnd('/')}/emulator/checkout/{Uri.EscapeDataString(intent.PaymentIntentId!)}"
              + $"?client_secret={Uri.EscapeDataString(intent.ClientSecret!)}&return_url={Uri.EscapeDataString(completeUrl)}";

    /// <summary>A payment's status in a learner's words.</summary>
    public static string Describe(PaymentResponse_status? status) => status switch
    {
        PaymentResponse_status.Succeeded => "Paid",
        PaymentResponse_status.Failed => "Declined",
        PaymentResponse_status.Pending => "Waiting for payment",
        PaymentResponse_status.Requires_action => "Waiting for your bank",
        PaymentResponse_status.Canceled => "Canceled",
        PaymentResponse_status.Refunded => "Refunded",
        _ => "Unknown",
    };
}
