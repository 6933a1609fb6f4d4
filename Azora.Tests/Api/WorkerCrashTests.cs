using System.Diagnostics;
using System.Net;
using Azora.Tests.Stack;
using Microsoft.Extensions.DependencyInjection;
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
            KillWorker();
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => delivery);
            await holding.RollbackAsync();
        }

        await StartWorkerAsync();
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

    private void KillWorker()
    {
        Assert.True(stack.App.ResourceNotifications.TryGetCurrentState("payments", out var payments));
        var pid = Convert.ToInt32(payments!.Snapshot.Properties.Single(property => property.Name == "executable.pid").Value);
        using var process = Process.GetProcessById(pid);
        process.Kill(entireProcessTree: true);
        process.WaitForExit();
    }

    private async Task StartWorkerAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await stack.App.ResourceNotifications.WaitForResourceAsync("payments", state => state.Snapshot.State?.Text is "Exited" or "Finished" or "FailedToStart", timeout.Token);
        var commands = stack.App.Services.GetRequiredService<ResourceCommandService>();
        var result = await commands.ExecuteCommandAsync("payments", "resource-start", timeout.Token);
        Assert.True(result.Success, result.Message);
        await stack.App.ResourceNotifications.WaitForResourceHealthyAsync("payments", timeout.Token);
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
