using Azora.Payments.Receipts;
using Price = Azora.Client.Generated.Models.Money;

namespace Azora.Web.Components.Catalog;

public static class Prices
{
    /// <summary>"Free", or the price as receipts write it ("49.00 USD", "4,900 JPY").</summary>
    public static string Format(Price? price) =>
        price?.Amount is { } amount and > 0 && price.Currency is { } currency ? Money.Format(amount, currency) : "Free";
}
