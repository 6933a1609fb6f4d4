using System.Globalization;

namespace Azora.Payments.Receipts;

/// <summary>Amounts in integer minor units, written for people: <c>4900 USD</c> → "49.00 USD", <c>4900 JPY</c> → "4,900 JPY".</summary>
public static class Money
{
    // ISO 4217 currencies whose minor unit is not a hundredth; every other currency has two decimals.
    private static readonly Dictionary<string, int> DecimalsOtherThanTwo = new(StringComparer.OrdinalIgnoreCase)
    {
        ["BIF"] = 0, ["CLP"] = 0, ["DJF"] = 0, ["GNF"] = 0, ["ISK"] = 0, ["JPY"] = 0, ["KMF"] = 0, ["KRW"] = 0, ["PYG"] = 0,
        ["RWF"] = 0, ["UGX"] = 0, ["UYI"] = 0, ["VND"] = 0, ["VUV"] = 0, ["XAF"] = 0, ["XOF"] = 0, ["XPF"] = 0,
        ["BHD"] = 3, ["IQD"] = 3, ["JOD"] = 3, ["KWD"] = 3, ["LYD"] = 3, ["OMR"] = 3, ["TND"] = 3,
        ["CLF"] = 4, ["UYW"] = 4,
    };

    public static int DecimalsOf(string currency) => DecimalsOtherThanTwo.GetValueOrDefault(currency, 2);

    /// <summary>
    /// The amount with its currency's decimals and the ISO code after it, in one culture-free form: the code is never
    /// ambiguous the way "$" is, and a receipt reads the same whatever machine writes it.
    /// </summary>
    public static string Format(long minorUnits, string currency)
    {
        var decimals = DecimalsOf(currency);
        var amount = minorUnits / (decimal)Math.Pow(10, decimals);
        return $"{amount.ToString("N" + decimals, CultureInfo.InvariantCulture)} {currency.ToUpperInvariant()}";
    }
}
