using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Azora.Tests.Api;

/// <summary>
/// The Stripe emulator delivers webhooks as Stripe does: a card's confirmation is answered at once whatever the
/// worker's endpoint is doing, and each event is tried again until the endpoint answers 2xx. Each test runs an
/// emulator of its own, pointed at a receiver the test controls (the stack's worker is not involved).
/// </summary>
public class StripeEmulatorWebhookTests
{
    private const string Secret = "whsec_emulator_webhook_tests";

    [Fact]
    public async Task A_card_is_confirmed_while_the_endpoint_does_not_answer_and_its_event_is_retried_until_a_2xx()
    {
        using var receiver = new WebhookReceiver();
        var answered = new TaskCompletionSource();
        // Every attempt waits until the card has been answered: the first then gets a 500, the next ones 200. An
        // emulator that waited for the webhook before answering the card would wait on itself.
        receiver.Hold(answered.Task, status: 500);
        receiver.Hold(answered.Task);
        receiver.Hold(answered.Task);
        await using var emulator = await EmulatorProcess.StartAsync(receiver.Url);
        var intent = await emulator.CreateIntentAsync();

        using var card = await emulator.Client.PostAsync($"/emulator/payment_intents/{intent}/succeed", null);
        answered.SetResult();

        Assert.Equal(HttpStatusCode.OK, card.StatusCode);
        var confirmed = await card.JsonAsync();
        Assert.Equal("succeeded", confirmed.GetProperty("intent_status").GetString());
        var eventId = confirmed.GetProperty("event").GetString()!;
        var sent = await emulator.SettledEventAsync(eventId);
        Assert.Equal("payment_intent.succeeded", sent.GetProperty("type").GetString());
        var delivery = Assert.Single(sent.GetProperty("deliveries").EnumerateArray());
        Assert.Equal([500, 200], delivery.GetProperty("attempts").EnumerateArray().Select(status => status.GetInt32()));
        Assert.True(delivery.GetProperty("delivered").GetBoolean());

        var received = await receiver.WaitForAsync(2);
        Assert.All(received, webhook =>
        {
            Assert.Equal(eventId, JsonDocument.Parse(webhook.Body).RootElement.GetProperty("id").GetString());
            Assert.True(WebhookReceiver.Verifies(webhook, Secret));
        });
    }

    [Fact]
    public async Task An_event_sent_while_nothing_listens_arrives_once_the_endpoint_is_up()
    {
        var port = WebhookReceiver.FreePort();
        var path = $"/hooks/{Guid.NewGuid():N}";
        await using var emulator = await EmulatorProcess.StartAsync($"http://127.0.0.1:{port}{path}");
        var intent = await emulator.CreateIntentAsync();

        using var card = await emulator.Client.PostAsync($"/emulator/payment_intents/{intent}/decline?deliveries=2", null);
        Assert.Equal(HttpStatusCode.OK, card.StatusCode);
        var confirmed = await card.JsonAsync();
        Assert.Equal("requires_payment_method", confirmed.GetProperty("intent_status").GetString());
        var eventId = confirmed.GetProperty("event").GetString()!;
        // Refused at least once before the endpoint exists.
        await emulator.EventAsync(eventId, sent => sent.GetProperty("deliveries").EnumerateArray().All(copy => copy.GetProperty("attempts").GetArrayLength() > 0));

        using var receiver = new WebhookReceiver(port, path);
        var settled = await emulator.SettledEventAsync(eventId);

        Assert.All(settled.GetProperty("deliveries").EnumerateArray(), copy =>
        {
            Assert.True(copy.GetProperty("delivered").GetBoolean());
            var attempts = copy.GetProperty("attempts").EnumerateArray().Select(status => status.GetInt32()).ToList();
            Assert.Equal(0, attempts[0]);
            Assert.Equal(200, attempts[^1]);
        });
        var received = await receiver.WaitForAsync(2);
        Assert.All(received, webhook => Assert.Equal(eventId, JsonDocument.Parse(webhook.Body).RootElement.GetProperty("id").GetString()));
    }

    /// <summary>An emulator run from its build output, with short retry delays, sending its webhooks to <c>webhookUrl</c>.</summary>
    private sealed class EmulatorProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        private EmulatorProcess(Process process, Uri address)
        {
            _process = process;
            Client = new HttpClient { BaseAddress = address };
        }

        public HttpClient Client { get; }

        public static async Task<EmulatorProcess> StartAsync(string webhookUrl)
        {
            var port = WebhookReceiver.FreePort();
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(ApiInstance.AssemblyPath(new Projects.Azora_StripeEmulator().ProjectPath, "Azora.StripeEmulator.dll"));
            start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
            start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
            start.Environment["Emulator__WebhookUrl"] = webhookUrl;
            start.Environment["Emulator__WebhookSecret"] = Secret;
            start.Environment["Emulator__WebhookRetry__FirstDelay"] = "00:00:00.100";
            start.Environment["Emulator__WebhookRetry__MaximumDelay"] = "00:00:00.500";
            var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the Stripe emulator.");
            var emulator = new EmulatorProcess(process, new Uri($"http://127.0.0.1:{port}"));
            process.OutputDataReceived += (_, line) => emulator.Append(line.Data);
            process.ErrorDataReceived += (_, line) => emulator.Append(line.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            var alive = await Eventually.ReadAsync(emulator.AliveAsync, up => up || process.HasExited, attempts: 300, TimeSpan.FromMilliseconds(200));
            return alive ? emulator : throw new InvalidOperationException($"The Stripe emulator did not come alive:\n{emulator.Output}");
        }

        public string Output
        {
            get
            {
                lock (_output)
                {
                    return _output.ToString();
                }
            }
        }

        public async Task<string> CreateIntentAsync()
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/payment_intents")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["amount"] = "4900", ["currency"] = "usd" }),
            };
            request.Headers.Authorization = new("Bearer", "sk_test_emulator_webhook_tests");
            using var response = await Client.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return (await response.JsonAsync()).GetProperty("id").GetString()!;
        }

        public async Task<JsonElement> EventAsync(string id, Func<JsonElement, bool> done)
        {
            var sent = await Eventually.ReadAsync(
                async () =>
                {
                    using var response = await Client.GetAsync($"/emulator/events/{id}");
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    return await response.JsonAsync();
                },
                done, attempts: 150, TimeSpan.FromMilliseconds(200));
            Assert.True(done(sent), $"The event is not there yet: {sent}\n{Output}");
            return sent;
        }

        /// <summary>The event once none of its copies is still being delivered.</summary>
        public Task<JsonElement> SettledEventAsync(string id) =>
            EventAsync(id, sent => sent.GetProperty("deliveries").EnumerateArray().All(copy => !copy.GetProperty("pending").GetBoolean()));

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }

            _process.Dispose();
        }

        private async Task<bool> AliveAsync()
        {
            try
            {
                using var response = await Client.GetAsync("/alive");
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }

        private void Append(string? line)
        {
            if (line is not null)
            {
                lock (_output)
                {
                    _output.AppendLine(line);
                }
            }
        }
    }
}
