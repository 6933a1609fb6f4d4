using System.Net;
using System.Text.Json;
using Azora.Tests.Api;
using Azora.Tests.Stack;
using Dapper;
using Npgsql;

namespace Azora.Tests.Mail;

/// <summary>
/// Receipts and refund notices, written by the payments worker's relay from the same outbox events partners receive:
/// paid and refunded through the API, the Stripe emulator and the worker, and read from the outbox and from the mail
/// catcher the worker's sender delivered them to, all real processes.
/// </summary>
[Collection(StackCollection.Name)]
public class ReceiptTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task A_paid_purchase_mails_one_receipt_with_its_facts_even_when_stripe_delivers_the_event_twice()
    {
        using var client = stack.CreateApiClient();
        using var catcher = stack.CreateMailCatcher();
        var title = $"Receipts & <Refunds> {Guid.NewGuid():N}";
        var (course, learner) = await PaidCourseAsync(client, title, price: 4900);
        var intent = await CreateIntentAsync(client, course, learner);

        var deliveries = await CardAsync(intent, "succeed", copies: 2);

        Assert.Equal([200, 200], deliveries);
        var row = Assert.Single(await MailAfterDispatchAsync("payment.success", intent.PaymentId, learner.UserId));
        Assert.Equal(("payment_receipt", learner.Email, $"Your receipt for {title}", $"payment_receipt:{intent.PaymentId}"),
            (row.Kind, row.Recipient, row.Subject, row.DedupeKey));

        var receipt = await catcher.WaitForMessageAsync(learner.Email, mail => mail.Subject.StartsWith("Your receipt", StringComparison.Ordinal));
        Assert.Equal($"Your receipt for {title}", receipt.Subject);
        Assert.Contains("Hello Ada Lovelace,", receipt.Text);
        Assert.Contains($"Course: {title}", receipt.Text);
        Assert.Contains("Amount paid: 49.00 USD", receipt.Text);
        Assert.Contains($"Payment ID: {intent.PaymentId}", receipt.Text);
        Assert.Matches(@"Paid on: \d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2} UTC", receipt.Text);
        Assert.Contains(receipt.Links, link => link.AbsolutePath == "/account/payments");
        // The title is an instructor's text; in the HTML part it is text, never markup.
        Assert.Contains("Receipts &amp; &lt;Refunds&gt;", receipt.Html);
        Assert.DoesNotContain("<Refunds>", receipt.Html);
        Assert.Single(await catcher.MessagesToAsync(learner.Email), mail => mail.Subject.StartsWith("Your receipt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_refund_mails_a_refund_notice_after_the_receipt()
    {
        using var client = stack.CreateApiClient();
        using var catcher = stack.CreateMailCatcher();
        var title = $"Refunded course {Guid.NewGuid():N}";
        var (course, learner) = await PaidCourseAsync(client, title, price: 2500);
        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");
        var intent = await CreateIntentAsync(client, course, learner);
        await CardAsync(intent, "succeed");

        using (var refund = await client.PostJsonAsync($"/api/pay/payments/{intent.PaymentId}/refund", new { }, admin.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Accepted, refund.StatusCode);
        }

        var rows = await MailAfterDispatchAsync("payment.refunded", intent.PaymentId, learner.UserId);
        Assert.Equal(["payment_receipt", "refund_notice"], rows.Select(row => row.Kind));
        Assert.Equal((learner.Email, $"refund_notice:{intent.PaymentId}"), (rows[1].Recipient, rows[1].DedupeKey));

        var notice = await catcher.WaitForMessageAsync(learner.Email, mail => mail.Subject == $"Your refund for {title}");
        Assert.Contains("Amount refunded: 25.00 USD", notice.Text);
        Assert.Contains($"Payment ID: {intent.PaymentId}", notice.Text);
        Assert.Contains("enrollment in the course has ended", notice.Text);
    }

    [Fact]
    public async Task Events_that_cannot_be_mailed_are_still_dispatched_and_do_not_hold_back_the_others()
    {
        using var client = stack.CreateApiClient();
        using var catcher = stack.CreateMailCatcher();
        var (course, learner) = await PaidCourseAsync(client, $"Yen course {Guid.NewGuid():N}", price: 4900);
        var deleted = await TestAccounts.RegisterAsync(client);
        await stack.ExecuteAsync("UPDATE users SET deleted_at = now() WHERE id = @id", new { id = deleted.UserId });
        var unreadable = await TestAccounts.RegisterAsync(client);

        // Written straight to the outbox in one transaction, so the relay claims them in one batch.
        var yen = Guid.NewGuid();
        var events = new (string Type, object Payload)[]
        {
            ("payment.success", Facts(yen, learner.UserId, course.Id, 4900, "JPY")),
            ("payment.success", Facts(Guid.NewGuid(), deleted.UserId, course.Id, 4900, "USD")),
            ("payment.success", new { paymentId = Guid.NewGuid(), userId = unreadable.UserId, courseId = course.Id, amount = "lots", currency = "USD" }),
            ("payment.refunded", new { paymentId = Guid.NewGuid(), userId = unreadable.UserId, courseId = course.Id }),
        };
        var eventIds = await AppendEventsAsync(events);

        var undispatched = await Eventually.ReadAsync(
            () => stack.CountAsync("SELECT count(*) FROM outbox_events WHERE id = ANY (@eventIds) AND dispatched_at IS NULL", new { eventIds }),
            count => count == 0, attempts: 100, TimeSpan.FromMilliseconds(200));

        Assert.Equal(0, undispatched);
        Assert.Equal($"payment_receipt:{yen}", Assert.Single(await MailForAsync(learner.UserId)).DedupeKey);
        Assert.Empty(await MailForAsync(deleted.UserId));
        Assert.Empty(await MailForAsync(unreadable.UserId));
        var receipt = await catcher.WaitForMessageAsync(learner.Email, mail => mail.Subject.StartsWith("Your receipt", StringComparison.Ordinal));
        Assert.Contains("Amount paid: 4,900 JPY", receipt.Text);
    }

    [Fact]
    public async Task A_course_title_as_long_as_a_subject_may_be_still_gets_its_receipt_with_the_subject_shortened()
    {
        using var client = stack.CreateApiClient();
        var (course, learner) = await PaidCourseAsync(client, $"Long course {Guid.NewGuid():N}", price: 4900);
        // The longest title a course may have: the subject's 200 characters cannot hold it after "Your receipt for ".
        var title = $"{Guid.NewGuid():N}{new string('x', 168)}";
        await stack.ExecuteAsync("UPDATE courses SET title = @title WHERE id = @id", new { title, id = course.Id });
        var payment = Guid.NewGuid();

        var eventIds = await AppendEventsAsync([("payment.success", Facts(payment, learner.UserId, course.Id, 4900, "USD"))]);

        var undispatched = await Eventually.ReadAsync(
            () => stack.CountAsync("SELECT count(*) FROM outbox_events WHERE id = ANY (@eventIds) AND dispatched_at IS NULL", new { eventIds }),
            count => count == 0, attempts: 100, TimeSpan.FromMilliseconds(200));
        Assert.Equal(0, undispatched);
        var subject = Assert.Single(await MailForAsync(learner.UserId)).Subject;
        Assert.Equal(200, subject.Length);
        Assert.Equal($"Your receipt for {title[..182]}…", subject);
    }

    private static object Facts(Guid paymentId, Guid userId, Guid courseId, long amount, string currency) =>
        new { paymentId, paymentIntentId = $"pi_{paymentId:N}", userId, courseId, instructorId = Guid.NewGuid(), amount, currency };

    /// <summary>Waits until the worker has dispatched the payment's event of <paramref name="eventType"/>, then reads the user's mail.</summary>
    private async Task<IReadOnlyList<MailRow>> MailAfterDispatchAsync(string eventType, Guid paymentId, Guid userId)
    {
        var dispatched = await Eventually.ReadAsync(
            () => stack.CountAsync(
                "SELECT count(*) FROM outbox_events WHERE type = @eventType AND payload->>'paymentId' = @paymentId AND dispatched_at IS NOT NULL",
                new { eventType, paymentId = paymentId.ToString() }),
            count => count == 1, attempts: 150, TimeSpan.FromMilliseconds(200));
        Assert.Equal(1, dispatched);
        return await MailForAsync(userId);
    }

    /// <summary>The user's receipts and refund notices (registering also mailed them a verification link).</summary>
    private async Task<IReadOnlyList<MailRow>> MailForAsync(Guid userId)
    {
        await using var connection = new NpgsqlConnection(await stack.ConnectionStringAsync("azora"));
        return (await connection.QueryAsync<MailRow>(
            """
            SELECT kind AS Kind, recipient AS Recipient, subject AS Subject, dedupe_key AS DedupeKey
            FROM mail_messages WHERE user_id = @userId AND kind IN ('payment_receipt', 'refund_notice') ORDER BY created_at, id
            """,
            new { userId })).AsList();
    }

    private async Task<Guid[]> AppendEventsAsync(IEnumerable<(string Type, object Payload)> events)
    {
        await using var connection = new NpgsqlConnection(await stack.ConnectionStringAsync("azora"));
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        var ids = new List<Guid>();
        foreach (var (type, payload) in events)
        {
            var id = Guid.NewGuid();
            await connection.ExecuteAsync(
                "INSERT INTO outbox_events (id, type, payload, occurred_at) VALUES (@id, @type, @payload::jsonb, now())",
                new { id, type, payload = JsonSerializer.Serialize(payload, JsonSerializerOptions.Web) }, transaction);
            ids.Add(id);
        }

        await transaction.CommitAsync();
        return [.. ids];
    }

    private async Task<(TestCourse Course, SignedIn Learner)> PaidCourseAsync(HttpClient client, string title, long price)
    {
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var course = await Courses.CreateAsync(client, instructor, price: price, title: title);
        var learner = await TestAccounts.RegisterAsync(client);
        // Paying will require a verified address; these tests are about what happens after the payment.
        await stack.ExecuteAsync("UPDATE users SET email_verified_at = now() WHERE id = @id", new { id = learner.UserId });
        return (course, learner);
    }

    private static async Task<Intent> CreateIntentAsync(HttpClient client, TestCourse course, SignedIn learner)
    {
        using var response = await client.PostJsonAsync("/api/pay/payment-intent", new { courseId = course.Id }, learner.AccessToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var body = await response.JsonAsync();
        return new Intent(body.GetProperty("paymentId").GetGuid(), body.GetProperty("paymentIntentId").GetString()!);
    }

    private async Task<int[]> CardAsync(Intent intent, string outcome, int copies = 1)
    {
        using var emulator = stack.CreateStripeEmulatorClient();
        return await StripeEmulatorEvents.CardAsync(emulator, intent.PaymentIntentId, outcome, copies);
    }

    private sealed record Intent(Guid PaymentId, string PaymentIntentId);

    private sealed record MailRow(string Kind, string Recipient, string Subject, string? DedupeKey);
}
