namespace Azora.Web.Components.Checkout;

/// <summary>
/// How the portal takes a card (<c>Azora:Web:Stripe</c>). <see cref="EmulatorUrl"/>: the Stripe emulator's address as
/// a browser reaches it, whose test checkout page takes the card (Development, tests, staging); it wins over
/// <see cref="PublishableKey"/>, with which the portal shows Stripe's Payment Element. Neither: checkout says card
/// payments are not available.
/// </summary>
public sealed class StripeCheckoutOptions
{
    public const string Section = "Azora:Web:Stripe";

    public string? EmulatorUrl { get; set; }

    public string? PublishableKey { get; set; }
}
