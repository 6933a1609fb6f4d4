using System.Globalization;
using System.Text.Json;
using Azora.Contract.Events;
using Azora.Contract.Mail;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Azora.Payments.Receipts;

/// <summary>
/// The learner's mail about their payments, written from the same outbox events partners receive: a receipt for
/// <c>payment.success</c>, a refund notice for <c>payment.refunded</c>. The relay calls it in the transaction that marks
/// the events dispatched, so a message exists exactly when its event has been handed on; the dedupe key (kind and
/// payment id) keeps it to one message per payment even if an event were ever written or claimed twice.
/// </summary>
public sealed class PaymentMails(MailOutbox outbox, IOptions<MailOptions> options, ILogger<PaymentMails> logger)
{
    private const int SubjectLimit = 200;

    /// <summary>Writes the mail for the payment events among <paramref name="events"/>; returns how many messages were new.</summary>
    public async Task<int> WriteAsync(NpgsqlTransaction transaction, IReadOnlyCollection<OutboxEvent> events, CancellationToken cancellationToken)
    {
        var payments = events
            .Where(@event => @event.Type == AzoraEvents.PaymentSucceeded.Name || @event.Type == AzoraEvents.PaymentRefunded.Name)
            .Select(@event => (Event: @event, Facts: Read(@event)))
            .Where(payment => payment.Facts is not null)
            .ToList();
        if (payments.Count == 0)
        {
            return 0;
        }

        var connection = transaction.Connection!;
        // Deleted accounts are left out: their address has been erased and nobody is there to read the mail.
        var learners = (await connection.QueryAsync<Learner>(new CommandDefinition(
                "SELECT id AS Id, email AS Email, name AS Name FROM users WHERE id = ANY (@ids) AND deleted_at IS NULL",
                new { ids = payments.Select(payment => payment.Facts!.UserId).Distinct().ToArray() }, transaction, cancellationToken: cancellationToken)))
            .ToDictionary(learner => learner.Id);
        var courseTitles = (await connection.QueryAsync<(Guid Id, string Title)>(new CommandDefinition(
                "SELECT id, title FROM courses WHERE id = ANY (@ids)",
                new { ids = payments.Select(payment => payment.Facts!.CourseId).Distinct().ToArray() }, transaction, cancellationToken: cancellationToken)))
            .ToDictionary(course => course.Id, course => course.Title);

        var mails = new List<OutgoingMail>(payments.Count);
        foreach (var (@event, facts) in payments)
        {
            if (!learners.TryGetValue(facts!.UserId, out var learner) || !courseTitles.TryGetValue(facts.CourseId, out var courseTitle))
            {
                continue;
            }

            var refund = @event.Type == AzoraEvents.PaymentRefunded.Name;
            var kind = refund ? MailKinds.RefundNotice : MailKinds.PaymentReceipt;
            var content = refund
                ? RefundNotice(learner, courseTitle, facts, @event.OccurredAt)
                : Receipt(learner, courseTitle, facts, @event.OccurredAt);
            mails.Add(new OutgoingMail(kind, learner.Id, learner.Email, MailComposer.Render(content), $"{kind}:{facts.PaymentId}"));
        }

        return await outbox.EnqueueManyAsync(transaction, mails, cancellationToken);
    }

    private MailContent Receipt(Learner learner, string courseTitle, PaymentFacts facts, DateTimeOffset paidAt) => new(
        Subject: Subject("Your receipt for ", courseTitle),
        Greeting: $"Hello {learner.Name},",
        Paragraphs: [$"Thank you for your purchase. You are enrolled in {courseTitle}, and this message is your receipt."],
        Action: new MailAction("See your purchases", options.Value.Link("/account/payments")),
        Facts: Facts(courseTitle, "Amount paid", facts, "Paid on", paidAt),
        Footnote: "If you did not make this purchase, contact Azora support and quote the payment ID.");

    private MailContent RefundNotice(Learner learner, string courseTitle, PaymentFacts facts, DateTimeOffset refundedAt) => new(
        Subject: Subject("Your refund for ", courseTitle),
        Greeting: $"Hello {learner.Name},",
        Paragraphs:
        [
            $"Your payment for {courseTitle} has been refunded, and your enrollment in the course has ended.",
            "The money goes back to the card you paid with; your bank may take a few days to show it.",
        ],
        Action: new MailAction("See your purchases", options.Value.Link("/account/payments")),
        Facts: Facts(courseTitle, "Amount refunded", facts, "Refunded on", refundedAt));

    private static KeyValuePair<string, string>[] Facts(string courseTitle, string amountLabel, PaymentFacts facts, string dateLabel, DateTimeOffset date) =>
    [
        new("Course", courseTitle),
        new(amountLabel, Money.Format(facts.Amount, facts.Currency)),
        new(dateLabel, date.UtcDateTime.ToString("d MMMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture)),
        new("Payment ID", facts.PaymentId.ToString()),
    ];

    /// <summary>A course title may use up the whole subject column on its own; it is shortened so the message is still written.</summary>
    private static string Subject(string lead, string courseTitle)
    {
        var room = SubjectLimit - lead.Length;
        return lead + (courseTitle.Length <= room ? courseTitle : string.Concat(courseTitle.AsSpan(0, room - 1), "…"));
    }

    /// <summary>
    /// The event's payment facts, or null when the payload cannot be read as such; that event still reaches partners,
    /// and one bad row must not stop the relay for every other event.
    /// </summary>
    private PaymentFacts? Read(OutboxEvent @event)
    {
        try
        {
            var facts = @event.Payload.Deserialize<PaymentFacts>(JsonSerializerOptions.Web);
            if (facts is { PaymentId: var id, Currency.Length: 3 } && id != Guid.Empty && facts.Amount > 0)
            {
                return facts;
            }
        }
        catch (JsonException)
        {
        }

        logger.LogError("Outbox event {EventId} ({EventType}) has no readable payment facts; no mail is written for it", @event.Id, @event.Type);
        return null;
    }

    private sealed record Learner(Guid Id, string Email, string Name);
}
