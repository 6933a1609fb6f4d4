using System.Text.Json;
using Azora.EndToEnd.Support;
using Xunit.Abstractions;

namespace Azora.EndToEnd.Journeys;

public sealed class WebhookJourney(AzoraTarget target, ITestOutputHelper output) : Journey(target, output)
{
    [SkippableFact]
    public async Task An_instructor_manages_a_webhook_subscription_and_receives_a_signed_delivery()
    {
        RequireWebhookReceiverAndRoles();
        await RunAsync(async api =>
        {
            await using var listener = await Target.WebhookReceiverAsync(api.Log);
            var instructor = await Accounts.SignInAsAsync(Target, api, "instructor");

            var created = (await api.PostAsync("/api/webhooks", new { url = listener.Url, events = new[] { "ping" }, description = "E2E partner" }, instructor.AccessToken)).Expect(201).Json;
            var id = created.GetProperty("id").GetString();
            var secret = created.GetProperty("secret").GetString()!;
            Assert.StartsWith("whsec_", secret);
            Assert.True(created.GetProperty("active").GetBoolean());

            // The subscription list is a plain array, not a page.
            var listed = Assert.Single((await api.GetAsync("/api/webhooks", instructor.AccessToken)).Expect(200).Json.EnumerateArray());
            Assert.Equal(id, listed.GetProperty("id").GetString());
            Assert.False(listed.TryGetProperty("secret", out _), "a listed subscription must not carry its secret");

            var updated = (await api.PatchAsync($"/api/webhooks/{id}", new { description = "E2E partner, renamed", events = new[] { "ping", "course.enrolled" } }, instructor.AccessToken)).Expect(200).Json;
            Assert.Equal("E2E partner, renamed", updated.GetProperty("description").GetString());
            Assert.Equal(["ping", "course.enrolled"], updated.GetProperty("events").EnumerateArray().Select(type => type.GetString()));

            (await api.PostAsync($"/api/webhooks/{id}/ping", bearer: instructor.AccessToken)).Expect(202);
            var webhook = await listener.WaitForFirstAsync(TimeSpan.FromSeconds(30));
            Assert.True(WebhookListener.Verifies(webhook, secret), $"Azora-Signature {webhook.Signature} does not verify with the subscription's secret.");
            Assert.False(WebhookListener.Verifies(webhook, "whsec_someone_else"));
            using var envelope = JsonDocument.Parse(webhook.Body);
            Assert.Equal("ping", envelope.RootElement.GetProperty("type").GetString());
            Assert.Equal("ping", webhook.EventType);
            Assert.Equal(webhook.EventId, envelope.RootElement.GetProperty("id").GetString());
            Assert.Equal(id, envelope.RootElement.GetProperty("data").GetProperty("subscriptionId").GetString());

            var delivery = await Eventually.ReadAsync(
                async () => (await api.GetAsync($"/api/webhooks/{id}/deliveries", instructor.AccessToken)).Expect(200).Json.GetProperty("data")[0],
                read => read.GetProperty("outcome").GetString() == "delivered",
                attempts: 100,
                TimeSpan.FromMilliseconds(200));
            Assert.Equal("delivered", delivery.GetProperty("outcome").GetString());
            Assert.Equal(webhook.EventId, delivery.GetProperty("eventId").GetString());
            Assert.Equal(200, delivery.GetProperty("lastStatusCode").GetInt32());

            (await api.DeleteAsync($"/api/webhooks/{id}", instructor.AccessToken)).Expect(204);
            (await api.GetAsync($"/api/webhooks/{id}", instructor.AccessToken)).ExpectProblem(404, "NOT_FOUND");
        });
    }
}
