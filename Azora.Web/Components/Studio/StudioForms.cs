using System.Globalization;
using System.Security.Claims;
using Azora.Client;
using Azora.Client.Generated.Models;
using PriceFormat = Azora.Payments.Receipts.Money;

namespace Azora.Web.Components.Studio;

/// <summary>A course's fields as the studio's forms hold them: the price as a person types it ("49.00"), not in cents.</summary>
public sealed class CourseForm
{
    public string? Title { get; set; }
    public string? Description { get; set; }
    public string? Category { get; set; }
    public string? Level { get; set; } = "beginner";
    public string? Price { get; set; }
    public string? Currency { get; set; } = "USD";

    public static CourseForm From(CourseSummary course) => new()
    {
        Title = course.Title,
        Description = course.Description,
        Category = course.Category?.Slug,
        Level = course.Level?.ToString().ToLowerInvariant(),
        Price = course.Price is { Amount: > 0 } price && price.Currency is { } currency
            ? StudioForms.MajorUnits(price.Amount.Value, currency)
            : "0",
        Currency = course.Price?.Currency ?? "USD",
    };

    public CreateCourseRequest ToCreateRequest(Money price) => new()
    {
        Title = Title ?? "",
        Description = Description ?? "",
        Category = Category ?? "",
        Level = Enum.TryParse<CreateCourseRequest_level>(Level, ignoreCase: true, out var level) ? level : null,
        Price = price,
    };

    public UpdateCourseRequest ToUpdateRequest(Money price) => new()
    {
        Title = Title ?? "",
        Description = Description ?? "",
        Category = Category,
        Level = Enum.TryParse<UpdateCourseRequest_level>(Level, ignoreCase: true, out var level) ? level : null,
        Price = price,
    };
}

/// <summary>A lesson's fields as the studio's forms hold them: the duration in minutes.</summary>
public sealed class LessonForm
{
    public string? Title { get; set; }
    public string? Minutes { get; set; }
    public string? Content { get; set; }
    public string? VideoUrl { get; set; }
    public bool Preview { get; set; }

    public static LessonForm From(LessonContentResponse lesson) => new()
    {
        Title = lesson.Title,
        Minutes = ((lesson.DurationSeconds ?? 0) / 60m).ToString("0.##", CultureInfo.InvariantCulture),
        Content = lesson.Content,
        VideoUrl = lesson.VideoUrl,
        Preview = lesson.Preview ?? false,
    };
}

public static class StudioForms
{
    /// <summary>The signed-in user's id, as the API gave it when the session began.</summary>
    public static Guid? UserId(ClaimsPrincipal user) =>
        Guid.TryParse(user.FindFirstValue(ClaimTypes.NameIdentifier), out var id) ? id : null;

    public static string MajorUnits(long minorUnits, string currency)
    {
        var decimals = PriceFormat.DecimalsOf(currency);
        var amount = minorUnits / (decimal)Math.Pow(10, decimals);
        return amount.ToString("F" + decimals, CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The price as the API takes it (minor units), or the refusal to show next to the field when the text is not an
    /// amount in the currency's decimals. An empty price is free; the API checks the currency and the range.
    /// </summary>
    public static (Money? Price, AzoraApiException? Refusal) Price(string? text, string? currencyText)
    {
        var currency = (currencyText ?? "").Trim().ToUpperInvariant();
        var typed = string.IsNullOrWhiteSpace(text) ? "0" : text.Trim().Replace(',', '.');
        var decimals = currency.Length == 3 ? PriceFormat.DecimalsOf(currency) : 2;
        if (!decimal.TryParse(typed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount)
            || decimal.Round(amount, decimals) != amount
            || amount > 100_000_000m)
        {
            var example = decimals == 0 ? "4900" : (49m).ToString("F" + decimals, CultureInfo.InvariantCulture);
            return (null, Refusal("price.amount", $"Enter the price as a number such as {example} ({decimals} decimals for {(currency.Length == 3 ? currency : "this currency")}), or 0 for a free course."));
        }

        var minor = (long)(amount * (decimal)Math.Pow(10, decimals));
        return (new Money { Amount = minor, Currency = currency }, null);
    }

    /// <summary>
    /// The lesson's duration in seconds from minutes as typed ("12", "1.5"), or the refusal next to the field. Empty is
    /// no duration (0); the API checks the range.
    /// </summary>
    public static (int? Seconds, AzoraApiException? Refusal) Seconds(string? minutesText)
    {
        var typed = string.IsNullOrWhiteSpace(minutesText) ? "0" : minutesText.Trim().Replace(',', '.');
        if (!decimal.TryParse(typed, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var minutes) || minutes > 1440m)
        {
            return (null, Refusal("durationSeconds", "Enter the duration in minutes, such as 12 or 1.5 (at most 1440)."));
        }

        return ((int)Math.Round(minutes * 60m), null);
    }

    public static CreateLessonRequest ToCreateRequest(this LessonForm form, int seconds) => new()
    {
        Title = form.Title ?? "",
        DurationSeconds = seconds,
        Content = form.Content ?? "",
        VideoUrl = string.IsNullOrWhiteSpace(form.VideoUrl) ? null : form.VideoUrl.Trim(),
        Preview = form.Preview,
    };

    /// <summary>Every field, so what the form shows is what the lesson becomes; an empty video link removes the video.</summary>
    public static UpdateLessonRequest ToUpdateRequest(this LessonForm form, int seconds) => new()
    {
        Title = form.Title ?? "",
        DurationSeconds = seconds,
        Content = form.Content ?? "",
        VideoUrl = (form.VideoUrl ?? "").Trim(),
        Preview = form.Preview,
    };

    public static string Duration(int? seconds) => seconds switch
    {
        null or 0 => "",
        < 60 => $"{seconds} s",
        _ => $"{Math.Round(seconds.Value / 60m, 1).ToString("0.#", CultureInfo.InvariantCulture)} min",
    };

    /// <summary>A refusal made in the portal before asking the API, shaped like the API's so it shows the same way.</summary>
    private static AzoraApiException Refusal(string field, string message) => new(
        400, "VALIDATION_ERROR", "The request is not valid.", null, null,
        new Dictionary<string, IReadOnlyList<string>> { [field] = [message] });
}
