using System.Net;
using Azora.Tests.Stack;
using Npgsql;

namespace Azora.Tests.Api;

/// <summary>The payments worker killed while it applies an event, then started again, as after a node failure.</summary>
[Collection(StackCollection.Name)]
public class WorkerCrashTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task A_worker_killed_in_the_middle_of_an_event_loses_nothing_and_doubles_nothing()
    {
        using var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var course = await Courses.CreateAsync(client, instructor, price: 4900);
        var learner = await TestAccounts.RegisterVerifiedAsync(stack, client);
        using var created = await client.PostJsonAsync("/api/pay/payment-intent", new { courseId = course.Id }, learner.AccessToken);
        var intent = await created.JsonAsync();
        var intentId = intent.GetProperty("paymentIntentId").GetString()!;
        var paymentId = intent.GetProperty("paymentId").GetString()!;
        var eventId = $"evt_crash_{Guid.NewGuid():N}";
        var payload = SignedEvents.StripeEvent("payment_intent.succeeded", intentId, eventId);

        // Hold the payment row, so the worker stops inside its transaction, after recording the event id.
        await using var blocker = new NpgsqlConnection(await stack.ConnectionStringAsync("azora"));
        await blocker.OpenAsync();
        await using (var holding = await blocker.BeginTransactionAsync())
        {
            await using (var lockRow = new NpgsqlCommand("SELECT 1 FROM payments WHERE payment_intent_id = @id FOR UPDATE", blocker, holding))
            {
                lockRow.Parameters.AddWithValue("id", intentId);
                await lockRow.ExecuteScalarAsync();
            }

            var delivery = SignedEvents.DeliverToWorkerAsync(stack, payload);
            await WaitUntilAsync(async () => await stack.CountAsync("SELECT count(*) FROM pg_locks WHERE NOT granted") > 0);
            await StackResources.KillAsync(stack, "payments");
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => delivery);
            await holding.RollbackAsync();
        }

        await StackResources.StartAsync(stack, "payments");
        Assert.Equal(0, await stack.CountAsync("SELECT count(*) FROM stripe_events WHERE id = @id", new { id = eventId }));
        Assert.Equal(0, await stack.CountAsync("SELECT count(*) FROM payments WHERE id = @id::uuid AND status = 'succeeded'", new { id = paymentId }));

        // Stripe delivers the event again (it retries until it gets a 2xx), twice for good measure.
        using (var first = await SignedEvents.DeliverToWorkerAsync(stack, payload))
        using (var second = await SignedEvents.DeliverToWorkerAsync(stack, payload))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        }

        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM payments WHERE id = @id::uuid AND status = 'succeeded'", new { id = paymentId }));
        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM outbox_events WHERE type = 'payment.success' AND payload->>'paymentId' = @id", new { id = paymentId }));
        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM stripe_events WHERE id = @id", new { id = eventId }));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        if (await Eventually.ReadAsync(condition, reached => reached, attempts: 400, TimeSpan.FromMilliseconds(50)))
        {
            return;
        }

        throw new TimeoutException("The worker never reached the locked row.");
    }
}
