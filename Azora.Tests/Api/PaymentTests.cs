using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Azora.Tests.Stack;
using Npgsql;

namespace Azora.Tests.Api;

/// <summary>Paid enrollment through the API, the Stripe emulator and the payments worker, all real processes.</summary>
[Collection(StackCollection.Name)]
public class PaymentTests(AzoraStackFixture stack)
{
    [Fact]
    public async Task Buying_a_course_ends_with_a_succeeded_payment_and_an_active_enrollment()
    {
        var (client, course, learner) = await PaidCourseAsync(price: 4900);

        using var created = await client.PostJsonAsync("/api/pay/payment-intent", new { courseId = course.Id }, learner.AccessToken);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var intent = await created.JsonAsync();
        Assert.Equal(4900, intent.GetProperty("amount").GetInt64());
        Assert.Equal("USD", intent.GetProperty("currency").GetString());
        Assert.Equal("pending", intent.GetProperty("status").GetString());
        Assert.StartsWith(intent.GetProperty("paymentIntentId").GetString() + "_secret_", intent.GetProperty("clientSecret").GetString());

        var deliveries = await CardAsync(intent, "succeed");
        Assert.Equal([200], deliveries);

        var payment = await PaymentAsync(client, learner, intent);
        Assert.Equal("succeeded", payment.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, payment.GetProperty("clientSecret").ValueKind);
        using var enrollments = await client.GetAsync("/api/education/enrollments", learner.AccessToken);
        var enrollment = (await enrollments.JsonAsync()).GetProperty("data").EnumerateArray().Single();
        Assert.Equal("active", enrollment.GetProperty("status").GetString());
        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM outbox_events WHERE type = 'payment.success' AND payload->>'paymentId' = @id", new { id = PaymentId(intent) }));
        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM outbox_events WHERE type = 'course.enrolled' AND payload->>'courseId' = @id", new { id = course.Id.ToString() }));

        // Paying again for what one already owns is refused.
        using var again = await client.PostJsonAsync("/api/pay/payment-intent", new { courseId = course.Id }, learner.AccessToken);
        await ProblemAssert.IsProblemAsync(again, HttpStatusCode.Conflict, "CONFLICT");
    }

    [Fact]
    public async Task The_same_webhook_delivered_five_times_at_once_has_one_effect()
    {
        var (client, course, learner) = await PaidCourseAsync();
        var intent = await CreateIntentAsync(client, course, learner);

        var deliveries = await CardAsync(intent, "succeed", copies: 5);

        Assert.Equal([200, 200, 200, 200, 200], deliveries);
        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM outbox_events WHERE type = 'payment.success' AND payload->>'paymentId' = @id", new { id = PaymentId(intent) }));
        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM enrollments WHERE course_id = @id::uuid", new { id = course.Id.ToString() }));
    }

    [Fact]
    public async Task A_failure_reported_after_the_success_does_not_overturn_it()
    {
        var (client, course, learner) = await PaidCourseAsync();
        var intent = await CreateIntentAsync(client, course, learner);
        await CardAsync(intent, "succeed");

        // A late payment_failed for the same intent, correctly signed.
        using var late = await SignedEvents.DeliverToWorkerAsync(stack, SignedEvents.StripeEvent("payment_intent.payment_failed", intent.GetProperty("paymentIntentId").GetString()!));

        Assert.Equal(HttpStatusCode.OK, late.StatusCode);
        Assert.Equal("succeeded", (await PaymentAsync(client, learner, intent)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_declined_card_fails_the_payment_and_a_later_success_on_the_same_intent_still_counts()
    {
        var (client, course, learner) = await PaidCourseAsync();
        var intent = await CreateIntentAsync(client, course, learner);

        await CardAsync(intent, "decline");
        var failed = await PaymentAsync(client, learner, intent);
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Equal("Your card was declined.", failed.GetProperty("failureReason").GetString());

        await CardAsync(intent, "succeed");
        Assert.Equal("succeeded", (await PaymentAsync(client, learner, intent)).GetProperty("status").GetString());
    }

    [Theory]
    [InlineData("tampered-body")]
    [InlineData("wrong-secret")]
    [InlineData("stale-timestamp")]
    [InlineData("no-signature")]
    public async Task Badly_signed_webhooks_are_refused_and_write_nothing(string attack)
    {
        var (client, course, learner) = await PaidCourseAsync();
        var intent = await CreateIntentAsync(client, course, learner);
        var payload = SignedEvents.StripeEvent("payment_intent.succeeded", intent.GetProperty("paymentIntentId").GetString()!);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var (body, signature) = attack switch
        {
            "tampered-body" => (payload.Replace("\"amount\":4900", "\"amount\":1"), SignedEvents.Sign(payload, AzoraStackFixture.StripeWebhookSecret, now)),
            "wrong-secret" => (payload, SignedEvents.Sign(payload, "whsec_someone_else", now)),
            "stale-timestamp" => (payload, SignedEvents.Sign(payload, AzoraStackFixture.StripeWebhookSecret, now - 3600)),
            _ => (payload, null),
        };

        using var response = await SignedEvents.DeliverToWorkerAsync(stack, body, signature);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("pending", (await PaymentAsync(client, learner, intent)).GetProperty("status").GetString());
        Assert.Equal(0, await stack.CountAsync("SELECT count(*) FROM stripe_events WHERE id = @id", new { id = JsonDocument.Parse(payload).RootElement.GetProperty("id").GetString()! }));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_stripe_event_over_the_size_limit_is_refused_even_without_a_content_length(bool chunked)
    {
        // Correctly signed, so only the size can refuse it: 600 KiB against the worker's 512 KiB.
        var small = SignedEvents.StripeEvent("payment_intent.succeeded", "pi_oversized");
        var payload = small.Insert(1, $"\"padding\":\"{new string('x', 600 * 1024)}\",");

        using var response = await SignedEvents.DeliverToWorkerAsync(stack, payload, chunked: chunked);

        await ProblemAssert.IsProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "PAYLOAD_TOO_LARGE");
        var eventId = JsonDocument.Parse(small).RootElement.GetProperty("id").GetString();
        Assert.Equal(0, await stack.CountAsync("SELECT count(*) FROM stripe_events WHERE id = @eventId", new { eventId }));
    }

    [Fact]
    public async Task A_stripe_event_within_the_limit_is_accepted_when_chunked()
    {
        using var response = await SignedEvents.DeliverToWorkerAsync(stack, SignedEvents.StripeEvent("payment_intent.created", "pi_chunked"), chunked: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData(-290, true)]
    [InlineData(-310, false)]
    [InlineData(290, true)]
    [InlineData(310, false)]
    public async Task The_stripe_signature_is_accepted_within_five_minutes_either_side_of_now(int secondsFromNow, bool accepted)
    {
        // An event type the worker acknowledges and ignores: only the signature's timestamp decides.
        var payload = SignedEvents.StripeEvent("payment_intent.created", $"pi_tolerance_{Guid.NewGuid():N}");
        var signature = SignedEvents.Sign(payload, AzoraStackFixture.StripeWebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + secondsFromNow);

        using var response = await SignedEvents.DeliverToWorkerAsync(stack, payload, signature);

        Assert.Equal(accepted ? HttpStatusCode.OK : HttpStatusCode.BadRequest, response.StatusCode);
        var eventId = JsonDocument.Parse(payload).RootElement.GetProperty("id").GetString();
        Assert.Equal(accepted ? 1 : 0, await stack.CountAsync("SELECT count(*) FROM stripe_events WHERE id = @eventId", new { eventId }));
    }

    [Fact]
    public async Task An_idempotency_key_names_one_request_and_is_refused_for_another_course()
    {
        var (client, course, learner) = await PaidCourseAsync();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var otherCourse = await Courses.CreateAsync(client, instructor, price: 2900);
        var key = $"checkout-{Guid.NewGuid():N}";

        using var first = await PayAsync(client, learner, course, key);
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var paymentId = PaymentId(await first.JsonAsync());

        using (var again = await PayAsync(client, learner, course, key))
        {
            Assert.Equal(HttpStatusCode.OK, again.StatusCode);
            Assert.Equal(paymentId, PaymentId(await again.JsonAsync()));
        }

        using (var reused = await PayAsync(client, learner, otherCourse, key))
        {
            await ProblemAssert.IsProblemAsync(reused, HttpStatusCode.UnprocessableEntity, "IDEMPOTENCY_KEY_REUSED");
        }

        Assert.Equal(0, await stack.CountAsync("SELECT count(*) FROM payments WHERE course_id = @id::uuid", new { id = otherCourse.Id.ToString() }));
        using var withNewKey = await PayAsync(client, learner, otherCourse, $"checkout-{Guid.NewGuid():N}");
        Assert.Equal(HttpStatusCode.Created, withNewKey.StatusCode);
    }

    [Fact]
    public async Task The_amount_comes_from_the_course_never_from_the_client()
    {
        var (client, course, learner) = await PaidCourseAsync(price: 4900);

        using var withAmount = await client.PostJsonAsync("/api/pay/payment-intent", new { courseId = course.Id, amount = 1 }, learner.AccessToken);
        await ProblemAssert.IsValidationProblemAsync(withAmount, "amount");

        using var otherCurrency = await client.PostJsonAsync("/api/pay/payment-intent", new { courseId = course.Id, currency = "EUR" }, learner.AccessToken);
        await ProblemAssert.IsValidationProblemAsync(otherCurrency, "currency");

        var intent = await CreateIntentAsync(client, course, learner);
        Assert.Equal(4900, intent.GetProperty("amount").GetInt64());
        Assert.Equal(4900, await StripeAmountAsync(intent.GetProperty("paymentIntentId").GetString()!));
    }

    [Fact]
    public async Task Idempotent_and_parallel_requests_create_one_intent()
    {
        var (client, course, learner) = await PaidCourseAsync();

        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/pay/payment-intent") { Content = JsonContent.Create(new { courseId = course.Id }) };
            request.Headers.Authorization = new("Bearer", learner.AccessToken);
            if (i % 2 == 0)
            {
                request.Headers.Add("Idempotency-Key", "checkout-1");
            }

            using var response = await client.SendAsync(request);
            return (response.StatusCode, Body: await response.JsonAsync());
        }));

        Assert.All(results, result => Assert.Contains(result.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.OK }));
        Assert.Single(results, result => result.StatusCode == HttpStatusCode.Created);
        Assert.Single(results.Select(result => result.Body.GetProperty("paymentIntentId").GetString()).Distinct());
        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM payments WHERE course_id = @id::uuid", new { id = course.Id.ToString() }));
    }

    [Fact]
    public async Task Free_unknown_and_foreign_things_are_refused()
    {
        var (client, paid, learner) = await PaidCourseAsync();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var free = await Courses.CreateAsync(client, instructor, price: 0);
        var intent = await CreateIntentAsync(client, paid, learner);
        var stranger = await TestAccounts.RegisterAsync(client);

        using (var freeCourse = await client.PostJsonAsync("/api/pay/payment-intent", new { courseId = free.Id }, learner.AccessToken))
        {
            await ProblemAssert.IsValidationProblemAsync(freeCourse, "courseId");
        }

        using (var unknown = await client.PostJsonAsync("/api/pay/payment-intent", new { courseId = Guid.NewGuid() }, learner.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(unknown, HttpStatusCode.NotFound, "NOT_FOUND");
        }

        using (var foreign = await client.GetAsync($"/api/pay/payments/{PaymentId(intent)}", stranger.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(foreign, HttpStatusCode.NotFound, "NOT_FOUND");
        }

        using var strangersList = await client.GetAsync("/api/pay/payments", stranger.AccessToken);
        Assert.Empty((await strangersList.JsonAsync()).GetProperty("data").EnumerateArray());
    }

    [Fact]
    public async Task A_stripe_500_is_retried_and_stripe_down_is_a_503_that_leaves_the_rest_of_the_api_working()
    {
        var (client, course, learner) = await PaidCourseAsync();
        using var emulator = stack.CreateStripeEmulatorClient();

        using (await emulator.PostAsJsonAsync("/emulator/faults", new { status = 500, delayMilliseconds = 0, remaining = 1 }))
        {
        }

        var intent = await CreateIntentAsync(client, course, learner);
        Assert.Equal(HttpStatusCode.OK, (await emulator.GetAsync("/alive")).StatusCode);

        var other = await TestAccounts.RegisterVerifiedAsync(stack, client);
        using (await emulator.PostAsJsonAsync("/emulator/faults", new { status = 500, delayMilliseconds = 0, remaining = 10 }))
        {
        }

        try
        {
            using var down = await client.PostJsonAsync("/api/pay/payment-intent", new { courseId = course.Id }, other.AccessToken);
            await ProblemAssert.IsProblemAsync(down, HttpStatusCode.ServiceUnavailable, "PAYMENTS_UNAVAILABLE");
        }
        finally
        {
            using var cleared = await emulator.DeleteAsync("/emulator/faults");
        }

        using var catalog = await client.GetAsync("/api/education/categories");
        Assert.Equal(HttpStatusCode.OK, catalog.StatusCode);
        Assert.Equal(0, await stack.CountAsync("SELECT count(*) FROM payments WHERE user_id = @id::uuid", new { id = other.UserId.ToString() }));
        Assert.Equal("pending", intent.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_refund_revokes_access()
    {
        var (client, course, learner) = await PaidCourseAsync();
        var admin = await TestRoles.SignInAsAsync(stack, client, "admin");
        var intent = await CreateIntentAsync(client, course, learner);
        await CardAsync(intent, "succeed");

        using (var byLearner = await client.PostJsonAsync($"/api/pay/payments/{PaymentId(intent)}/refund", new { }, learner.AccessToken))
        {
            await ProblemAssert.IsProblemAsync(byLearner, HttpStatusCode.Forbidden, "FORBIDDEN");
        }

        using (var refund = await client.PostJsonAsync($"/api/pay/payments/{PaymentId(intent)}/refund", new { }, admin.AccessToken))
        {
            Assert.Equal(HttpStatusCode.Accepted, refund.StatusCode);
        }

        // Stripe confirms asynchronously with charge.refunded; wait for the worker to apply it.
        var status = await Eventually.ReadAsync(
            () => StatusAsync(client, learner, intent), read => read == "refunded", attempts: 100, TimeSpan.FromMilliseconds(200));

        Assert.Equal("refunded", status);
        using var enrollments = await client.GetAsync("/api/education/enrollments", learner.AccessToken);
        Assert.Equal("revoked", (await enrollments.JsonAsync()).GetProperty("data")[0].GetProperty("status").GetString());
        using var lesson = await client.PostJsonAsync($"/api/education/courses/{course.Id}/lessons/{course.LessonIds[0]}/complete", new { }, learner.AccessToken);
        await ProblemAssert.IsProblemAsync(lesson, HttpStatusCode.Forbidden, "NOT_ENROLLED");
    }

    [Fact]
    public async Task A_lost_webhook_is_healed_by_reconciliation()
    {
        var (client, course, learner) = await PaidCourseAsync();
        var intent = await CreateIntentAsync(client, course, learner);
        var intentId = intent.GetProperty("paymentIntentId").GetString()!;

        // The card succeeds at Stripe, but no webhook is delivered; the payment has been open for an hour.
        using (var emulator = stack.CreateStripeEmulatorClient())
        using (var succeeded = await emulator.PostAsync($"/emulator/payment_intents/{intentId}/succeed?deliveries=0", null))
        {
            Assert.Equal(HttpStatusCode.OK, succeeded.StatusCode);
        }

        Assert.Equal("pending", (await PaymentAsync(client, learner, intent)).GetProperty("status").GetString());
        await stack.ExecuteAsync("UPDATE payments SET updated_at = now() - interval '1 hour' WHERE payment_intent_id = @id", new { id = intentId });

        // The stack's worker reconciles every second (see AzoraStackFixture).
        var status = await Eventually.ReadAsync(
            () => StatusAsync(client, learner, intent), read => read == "succeeded", attempts: 100, TimeSpan.FromMilliseconds(200));

        Assert.Equal("succeeded", status);
        using var enrollments = await client.GetAsync("/api/education/enrollments", learner.AccessToken);
        Assert.Equal("active", (await enrollments.JsonAsync()).GetProperty("data")[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_stripe_event_the_worker_cannot_write_while_its_database_is_down_is_a_503_that_stripe_retries()
    {
        var database = new NpgsqlConnectionStringBuilder(await stack.ConnectionStringAsync("azora"));
        var down = ApiInstance.UnreachableEndpoint().Split(':');
        database.Host = down[0];
        database.Port = int.Parse(down[1]);
        await using var worker = await ApiInstance.StartAsync(stack, new Dictionary<string, string>
        {
            ["Azora:Stripe:SecretKey"] = "sk_test_azora_emulator",
            ["Azora:Stripe:WebhookSecret"] = AzoraStackFixture.StripeWebhookSecret,
        }, databaseConnectionString: database.ConnectionString, paymentsWorker: true);
        var payload = SignedEvents.StripeEvent("payment_intent.succeeded", $"pi_{Guid.NewGuid():N}");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe") { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
        request.Headers.Add("Stripe-Signature", SignedEvents.Sign(payload, AzoraStackFixture.StripeWebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

        using var response = await worker.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(5), response.Headers.RetryAfter?.Delta);
        Assert.DoesNotContain(down[1], await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Two_workers_reconciling_together_apply_each_lost_webhook_once()
    {
        await using var secondWorker = await ApiInstance.StartAsync(stack, new Dictionary<string, string>
        {
            ["Azora:Stripe:SecretKey"] = "sk_test_azora_emulator",
            ["Azora:Stripe:ApiBase"] = stack.App.GetEndpoint("stripe", "http").ToString(),
            ["Azora:Payments:Reconciliation:Interval"] = "00:00:01",
            ["Azora:Payments:Reconciliation:MinimumAge"] = "00:00:30",
        }, paymentsWorker: true);
        var paymentIds = new List<string>();
        for (var i = 0; i < 6; i++)
        {
            var (client, course, learner) = await PaidCourseAsync();
            var intent = await CreateIntentAsync(client, course, learner);
            using var emulator = stack.CreateStripeEmulatorClient();
            using var lost = await emulator.PostAsync($"/emulator/payment_intents/{intent.GetProperty("paymentIntentId").GetString()}/succeed?deliveries=0", null);
            paymentIds.Add(PaymentId(intent));
            client.Dispose();
        }

        foreach (var id in paymentIds)
        {
            await stack.ExecuteAsync("UPDATE payments SET updated_at = now() - interval '1 hour' WHERE id = @id::uuid", new { id });
        }

        await Eventually.ReadAsync(
            () => stack.CountAsync("SELECT count(*) FROM payments WHERE id = ANY (@ids::uuid[]) AND status <> 'succeeded'", new { ids = paymentIds.ToArray() }),
            open => open == 0,
            attempts: 100,
            TimeSpan.FromMilliseconds(200));

        foreach (var id in paymentIds)
        {
            Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM payments WHERE id = @id::uuid AND status = 'succeeded'", new { id }));
            Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM outbox_events WHERE type = 'payment.success' AND payload->>'paymentId' = @id", new { id }));
        }
    }

    [Fact]
    public async Task A_batch_with_a_duplicate_and_a_failing_event_applies_each_good_event_once_and_stripe_retries_the_failing_one()
    {
        // A worker of its own with one writer, so every event below queues behind the first one.
        await using var worker = await ApiInstance.StartAsync(stack, new Dictionary<string, string>
        {
            ["Azora:Stripe:WebhookSecret"] = AzoraStackFixture.StripeWebhookSecret,
            ["Azora:Payments:StripeEvents:Writers"] = "1",
        }, paymentsWorker: true);
        var intents = new List<(string IntentId, string PaymentId)>();
        for (var i = 0; i < 4; i++)
        {
            var (client, course, learner) = await PaidCourseAsync();
            var intent = await CreateIntentAsync(client, course, learner);
            intents.Add((intent.GetProperty("paymentIntentId").GetString()!, PaymentId(intent)));
            client.Dispose();
        }

        var (blocked, good, poisoned, other) = (intents[0], intents[1], intents[2], intents[3]);
        var poisonedEvent = $"evt_poisoned_{Guid.NewGuid():N}";
        var goodPayload = SignedEvents.StripeEvent("payment_intent.succeeded", good.IntentId);
        var poisonedPayload = SignedEvents.StripeEvent("payment_intent.succeeded", poisoned.IntentId, poisonedEvent);
        // The database refuses this one event (as a constraint or a bug would), inside whatever transaction holds it.
        var trigger = $"refuse_{Guid.NewGuid():N}";
        await stack.ExecuteAsync(
            $"""
            CREATE FUNCTION {trigger}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.id = '{poisonedEvent}' THEN RAISE EXCEPTION 'refused for the test'; END IF;
                RETURN NEW;
            END;
            $$;
            CREATE TRIGGER {trigger} BEFORE INSERT ON stripe_events FOR EACH ROW EXECUTE FUNCTION {trigger}();
            """);
        try
        {
            HttpStatusCode[] statuses;
            await using (var holder = new Npgsql.NpgsqlConnection(await stack.ConnectionStringAsync("azora")))
            {
                await holder.OpenAsync();
                await using var holding = await holder.BeginTransactionAsync();
                await Dapper.SqlMapper.ExecuteAsync(holder, "SELECT 1 FROM payments WHERE payment_intent_id = @id FOR UPDATE", new { id = blocked.IntentId }, holding);
                var first = PostAsync(worker, SignedEvents.StripeEvent("payment_intent.succeeded", blocked.IntentId));
                await Eventually.ReadAsync(() => stack.CountAsync("SELECT count(*) FROM pg_locks WHERE NOT granted"), count => count > 0, attempts: 200, TimeSpan.FromMilliseconds(50));
                // Queued behind the held row: one good event twice, the refused one, and another good one.
                var queued = new[] { goodPayload, goodPayload, poisonedPayload, SignedEvents.StripeEvent("payment_intent.succeeded", other.IntentId) }
                    .Select(payload => PostAsync(worker, payload)).ToList();
                await Task.Delay(TimeSpan.FromSeconds(1));
                await holding.RollbackAsync();
                statuses = await Task.WhenAll([first, .. queued]);
            }

            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.InternalServerError, HttpStatusCode.OK], statuses);
            Assert.Contains("Stripe events failed; applying them one by one", worker.StandardOutput);
            foreach (var applied in new[] { blocked, good, other })
            {
                Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM payments WHERE id = @id::uuid AND status = 'succeeded'", new { id = applied.PaymentId }));
                Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM outbox_events WHERE type = 'payment.success' AND payload->>'paymentId' = @id", new { id = applied.PaymentId }));
            }

            Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM stripe_events WHERE id = @id", new { id = JsonDocument.Parse(goodPayload).RootElement.GetProperty("id").GetString() }));
            Assert.Equal(0, await stack.CountAsync("SELECT count(*) FROM stripe_events WHERE id = @id", new { id = poisonedEvent }));
            Assert.Equal(0, await stack.CountAsync("SELECT count(*) FROM payments WHERE id = @id::uuid AND status <> 'pending'", new { id = poisoned.PaymentId }));
        }
        finally
        {
            await stack.ExecuteAsync($"DROP TRIGGER {trigger} ON stripe_events; DROP FUNCTION {trigger}();");
        }

        // Stripe delivers the refused event again, and now it goes through, once.
        Assert.Equal(HttpStatusCode.OK, await PostAsync(worker, poisonedPayload));
        Assert.Equal(HttpStatusCode.OK, await PostAsync(worker, poisonedPayload));
        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM payments WHERE id = @id::uuid AND status = 'succeeded'", new { id = poisoned.PaymentId }));
        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM outbox_events WHERE type = 'payment.success' AND payload->>'paymentId' = @id", new { id = poisoned.PaymentId }));
    }

    [Fact]
    public async Task Events_queued_together_are_applied_in_one_transaction_each_with_its_own_effect()
    {
        await using var worker = await ApiInstance.StartAsync(stack, new Dictionary<string, string>
        {
            ["Azora:Stripe:WebhookSecret"] = AzoraStackFixture.StripeWebhookSecret,
            ["Azora:Payments:StripeEvents:Writers"] = "1",
        }, paymentsWorker: true);
        var intents = new List<(string IntentId, string PaymentId, Guid CourseId)>();
        for (var i = 0; i < 4; i++)
        {
            var (client, course, learner) = await PaidCourseAsync();
            var intent = await CreateIntentAsync(client, course, learner);
            intents.Add((intent.GetProperty("paymentIntentId").GetString()!, PaymentId(intent), course.Id));
            client.Dispose();
        }

        var (blocked, paid, otherPaid, declined) = (intents[0], intents[1], intents[2], intents[3]);
        var paidPayload = SignedEvents.StripeEvent("payment_intent.succeeded", paid.IntentId);
        string[] outcomes;
        await using (var holder = new Npgsql.NpgsqlConnection(await stack.ConnectionStringAsync("azora")))
        {
            await holder.OpenAsync();
            await using var holding = await holder.BeginTransactionAsync();
            await Dapper.SqlMapper.ExecuteAsync(holder, "SELECT 1 FROM payments WHERE payment_intent_id = @id FOR UPDATE", new { id = blocked.IntentId }, holding);
            var first = OutcomeAsync(worker, SignedEvents.StripeEvent("payment_intent.succeeded", blocked.IntentId));
            await Eventually.ReadAsync(() => stack.CountAsync("SELECT count(*) FROM pg_locks WHERE NOT granted"), count => count > 0, attempts: 200, TimeSpan.FromMilliseconds(50));
            var queued = new[]
            {
                paidPayload,
                SignedEvents.StripeEvent("payment_intent.succeeded", otherPaid.IntentId),
                paidPayload,
                SignedEvents.StripeEvent("payment_intent.payment_failed", declined.IntentId),
                SignedEvents.StripeEvent("payment_intent.succeeded", $"pi_unknown_{Guid.NewGuid():N}"),
                SignedEvents.StripeEvent("payment_intent.created", paid.IntentId),
            }.Select(payload => OutcomeAsync(worker, payload)).ToList();
            await Task.Delay(TimeSpan.FromSeconds(1));
            await holding.RollbackAsync();
            outcomes = await Task.WhenAll([first, .. queued]);
        }

        // The two copies of one event race each other: whichever the worker meets first is applied, the other is a duplicate.
        Assert.Equal(["applied", "duplicate"], new[] { outcomes[1], outcomes[3] }.Order().ToArray());
        Assert.Equal(["applied", "applied", "applied", "unknown_payment", "ignored"], new[] { outcomes[0], outcomes[2], outcomes[4], outcomes[5], outcomes[6] });
        foreach (var (_, paymentId, courseId) in new[] { blocked, paid, otherPaid })
        {
            Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM payments WHERE id = @id::uuid AND status = 'succeeded'", new { id = paymentId }));
            Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM outbox_events WHERE type = 'payment.success' AND payload->>'paymentId' = @id", new { id = paymentId }));
            Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM enrollments WHERE course_id = @id::uuid AND status = 'active'", new { id = courseId.ToString() }));
            Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM outbox_events WHERE type = 'course.enrolled' AND payload->>'courseId' = @id", new { id = courseId.ToString() }));
        }

        Assert.Equal(1, await stack.CountAsync(
            "SELECT count(*) FROM payments WHERE id = @id::uuid AND status = 'failed' AND failure_reason = 'Declined late.'", new { id = declined.PaymentId }));
        Assert.Equal(1, await stack.CountAsync("SELECT count(*) FROM outbox_events WHERE type = 'payment.failed' AND payload->>'paymentId' = @id", new { id = declined.PaymentId }));
        Assert.Equal(0, await stack.CountAsync("SELECT count(*) FROM enrollments WHERE course_id = @id::uuid", new { id = declined.CourseId.ToString() }));
        Assert.Equal(1, await stack.CountAsync(
            "SELECT count(*) FROM stripe_events WHERE id = @id AND outcome = 'applied'", new { id = JsonDocument.Parse(paidPayload).RootElement.GetProperty("id").GetString() }));
    }

    /// <summary>The worker's answer: its outcome, or <c>duplicate</c>.</summary>
    private static async Task<string> OutcomeAsync(ApiInstance worker, string payload)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe") { Content = new StringContent(payload, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("Stripe-Signature", SignedEvents.Sign(payload, AzoraStackFixture.StripeWebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        using var response = await worker.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.JsonAsync();
        return body.TryGetProperty("duplicate", out _) ? "duplicate" : body.GetProperty("outcome").GetString()!;
    }

    private static async Task<HttpStatusCode> PostAsync(ApiInstance worker, string payload)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/webhooks/stripe") { Content = new StringContent(payload, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("Stripe-Signature", SignedEvents.Sign(payload, AzoraStackFixture.StripeWebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        using var response = await worker.Client.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task The_emulator_speaks_stripes_protocol_for_keys_idempotency_and_missing_objects()
    {
        using var emulator = stack.CreateStripeEmulatorClient();

        async Task<HttpResponseMessage> CreateAsync(string? key, string? idempotencyKey)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/payment_intents")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["amount"] = "1500", ["currency"] = "usd", ["metadata[order]"] = "42" }),
            };
            if (key is not null)
            {
                request.Headers.Authorization = new("Bearer", key);
            }

            if (idempotencyKey is not null)
            {
                request.Headers.Add("Idempotency-Key", idempotencyKey);
            }

            return await emulator.SendAsync(request);
        }

        using (var noKey = await CreateAsync(null, null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, noKey.StatusCode);
        }

        var key = Guid.NewGuid().ToString();
        using var first = await CreateAsync("sk_test_azora_emulator", key);
        using var replay = await CreateAsync("sk_test_azora_emulator", key);
        var created = await first.JsonAsync();
        Assert.Equal("payment_intent", created.GetProperty("object").GetString());
        Assert.Equal("42", created.GetProperty("metadata").GetProperty("order").GetString());
        Assert.Equal(created.GetProperty("id").GetString(), (await replay.JsonAsync()).GetProperty("id").GetString());

        using var missing = new HttpRequestMessage(HttpMethod.Get, "/v1/payment_intents/pi_missing");
        missing.Headers.Authorization = new("Bearer", "sk_test_azora_emulator");
        using var notFound = await emulator.SendAsync(missing);
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Equal("resource_missing", (await notFound.JsonAsync()).GetProperty("error").GetProperty("code").GetString());
    }

    private async Task<(HttpClient Client, TestCourse Course, SignedIn Learner)> PaidCourseAsync(long price = 4900)
    {
        var client = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, client, "instructor");
        var course = await Courses.CreateAsync(client, instructor, price: price);
        return (client, course, await TestAccounts.RegisterVerifiedAsync(stack, client));
    }

    private static async Task<HttpResponseMessage> PayAsync(HttpClient client, SignedIn learner, TestCourse course, string idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/pay/payment-intent") { Content = JsonContent.Create(new { courseId = course.Id }) };
        request.Headers.Authorization = new("Bearer", learner.AccessToken);
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await client.SendAsync(request);
    }

    private static async Task<JsonElement> CreateIntentAsync(HttpClient client, TestCourse course, SignedIn learner)
    {
        using var response = await client.PostJsonAsync("/api/pay/payment-intent", new { courseId = course.Id }, learner.AccessToken);
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return await response.JsonAsync();
    }

    private async Task<int[]> CardAsync(JsonElement intent, string outcome, int copies = 1)
    {
        using var emulator = stack.CreateStripeEmulatorClient();
        return await StripeEmulatorEvents.CardAsync(emulator, intent.GetProperty("paymentIntentId").GetString()!, outcome, copies);
    }

    private static async Task<JsonElement> PaymentAsync(HttpClient client, SignedIn learner, JsonElement intent)
    {
        using var response = await client.GetAsync($"/api/pay/payments/{PaymentId(intent)}", learner.AccessToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }

    private static async Task<string> StatusAsync(HttpClient client, SignedIn learner, JsonElement intent) =>
        (await PaymentAsync(client, learner, intent)).GetProperty("status").GetString()!;

    private static string PaymentId(JsonElement intent) => intent.GetProperty("paymentId").GetString()!;

    private async Task<long> StripeAmountAsync(string intentId)
    {
        using var emulator = stack.CreateStripeEmulatorClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/payment_intents/{intentId}");
        request.Headers.Authorization = new("Bearer", "sk_test_azora_emulator");
        using var response = await emulator.SendAsync(request);
        return (await response.JsonAsync()).GetProperty("amount").GetInt64();
    }
}
