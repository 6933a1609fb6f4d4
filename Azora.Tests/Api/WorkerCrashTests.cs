using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
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
        var learner = await TestAccounts.RegisterAsync(client);
        using var created = await client.PostJsonAsync("/api/pay/payment-intent", new { courseId = course.Id }, learner.AccessToken);
        var intent = await created.JsonAsync();
        var intentId = intent.GetProperty("paymentIntentId").GetString()!;
        var paymentId = intent.GetProperty("paymentId").GetString()!;
        var eventId = $"evt_crash_{Guid.NewGuid():N}";
        var payload = JsonSerializer.Serialize(new
        {
            id = eventId,
            @object = "event",
            api_version = Stripe.StripeConfiguration.ApiVersion,
            created = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            type = "payment_intent.succeeded",
            livemode = false,
            data = new { @object = new { id = intentId, @object = "payment_intent", amount = 4900, currency = "usd", status = "succeeded" } },
        });

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

            var delivery = DeliverAsync(payload);
            await WaitUntilAsync(async () => await stack.CountAsync("SELECT count(*) FROM pg_locks WHERE NOT granted") > 0);
            KillWorker();
            await Assert.ThrowsAnyAsync<HttpRequestException>(() => delivery);
            await holding.RollbackAsync();
        }

        await StartWorkerAsync();
        Assert.Equal(0, await stack.CountAsync("SELECT count(*) FROM stripe_events WHERE id = @id", new { id = eventId }));
        Assert.Equal(0, await stack.CountAsync("SELECT count(*) FROM payments WHERE id = @id::uuid AND status = 'succeeded'", new { id = paymentId }));

        // Stripe delivers the event again (it retries until it gets a 2xx), twice for good measure.
        using (var first = await DeliverAsync(payload))
        using (var second = await DeliverAsync(payload))
        {
            Assert.Equal(HttpStatusCode.OK, first.StatusCode);
            Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        }

        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM payments WHERE id = @id::uuid AND status = 'succeeded'", new { id = paymentId }));
        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM outbox_events WHERE type = 'payment.success' AND payload->>'paymentId' = @id", new { id = paymentId }));
        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM stripe_events WHERE id = @id", new { id = eventId }));
    }

    private async Task<HttpResponseMessage> DeliverAsync(string payload)
    {
        using var worker = stack.CreatePaymentsClient();
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(AzoraStackFixture.StripeWebhookSecret), Encoding.UTF8.GetBytes($"{timestamp}.{payload}"));
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe") { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
        request.Headers.Add("Stripe-Signature", $"t={timestamp},v1={Convert.ToHexString(signature).ToLowerInvariant()}");
        return await worker.SendAsync(request);
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
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("The worker never reached the locked row.");
    }
}
