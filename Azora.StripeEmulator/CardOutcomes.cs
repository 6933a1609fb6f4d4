namespace Azora.StripeEmulator;

/// <summary>
/// What a card does to a PaymentIntent, as Stripe would report it: the intent's new state at once, and the signed
/// webhook to the payments worker on its way (delivered and retried in the background, as Stripe does, so a worker
/// that is down never holds up or fails the confirmation). One place for the developer controls and the test checkout
/// page, so both send the same events.
/// </summary>
public static class CardOutcomes
{
    public const string Succeed = "succeed";
    public const string Decline = "decline";
    public const string RequireAction = "require_action";

    /// <summary>Applies <paramref name="outcome"/> and sends its event (<paramref name="deliveries"/> copies); null when the outcome is unknown.</summary>
    public static EventRecord? Apply(PaymentIntent intent, string outcome, WebhookSender webhooks, int deliveries = 1)
    {
        string type;
        switch (outcome)
        {
            case Succeed:
                intent.Status = "succeeded";
                intent.AmountReceived = intent.Amount;
                intent.LatestCharge ??= EmulatorState.NewId("ch");
                intent.LastPaymentError = null;
                type = "payment_intent.succeeded";
                break;
            case Decline:
                intent.Status = "requires_payment_method";
                intent.LastPaymentError = new { code = "card_declined", decline_code = "generic_decline", message = "Your card was declined.", type = "card_error" };
                type = "payment_intent.payment_failed";
                break;
            case RequireAction:
                intent.Status = "requires_action";
                type = "payment_intent.requires_action";
                break;
            default:
                return null;
        }

        return webhooks.Send(WebhookSender.Event(type, intent), deliveries);
    }
}
