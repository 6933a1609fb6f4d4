using System.Text.Json;
using Azora.EndToEnd.Support;
using Xunit.Abstractions;

namespace Azora.EndToEnd.Journeys;

public sealed class PurchaseJourney(AzoraTarget target, ITestOutputHelper output) : Journey(target, output)
{
    [SkippableFact]
    public async Task A_learner_buys_a_paid_course_and_is_enrolled_once_the_payment_succeeds()
    {
        RequireStripeEmulator();
        RequireEmailVerification();
        await RunAsync(async api =>
        {
            await using var stripe = await Target.StripeEmulatorAsync(api.Log);
            var learner = await Accounts.RegisterAsync(api);
            var paid = (await api.GetAsync("/api/education/courses?free=false&limit=1")).Expect(200).Json.GetProperty("data").EnumerateArray().First();
            var courseId = paid.GetProperty("id").GetGuid();
            var price = paid.GetProperty("price");
            Assert.True(price.GetProperty("amount").GetInt64() > 0);
            (await api.PostAsync($"/api/education/courses/{courseId}/enroll", bearer: learner.AccessToken)).ExpectProblem(402, "PAYMENT_REQUIRED");

            // Paying needs a verified email: the learner follows the link in the verification mail first.
            (await api.PostAsync("/api/pay/payment-intent", new { courseId }, learner.AccessToken)).ExpectProblem(403, "EMAIL_NOT_VERIFIED");
            await Target.VerifyEmailAsync(api, learner);
            Assert.True((await api.GetAsync("/api/auth/profile", learner.AccessToken)).Expect(200).Json.GetProperty("emailVerified").GetBoolean());

            var intent = (await api.PostAsync("/api/pay/payment-intent", new { courseId }, learner.AccessToken)).Expect(201).Json;
            Assert.Equal("pending", intent.GetProperty("status").GetString());
            Assert.Equal(price.GetProperty("amount").GetInt64(), intent.GetProperty("amount").GetInt64());
            Assert.Equal(price.GetProperty("currency").GetString(), intent.GetProperty("currency").GetString());
            var paymentId = intent.GetProperty("paymentId").GetGuid();

            // The card succeeds at Stripe, which tells the payments worker; the enrollment follows.
            (await stripe.PostAsync($"/emulator/payment_intents/{intent.GetProperty("paymentIntentId").GetString()}/succeed")).Expect(200);
            var enrollments = await Eventually.ReadAsync(
                async () => (await api.GetAsync("/api/education/enrollments", learner.AccessToken)).Expect(200).Json.GetProperty("data").EnumerateArray().ToList(),
                read => read.Count > 0,
                attempts: 100,
                TimeSpan.FromMilliseconds(200));
            var enrollment = Assert.Single(enrollments);
            Assert.Equal(courseId, enrollment.GetProperty("course").GetProperty("id").GetGuid());
            Assert.Equal("active", enrollment.GetProperty("status").GetString());

            var payment = Assert.Single((await api.GetAsync("/api/pay/payments", learner.AccessToken)).Expect(200).Json.GetProperty("data").EnumerateArray());
            Assert.Equal(paymentId, payment.GetProperty("id").GetGuid());
            Assert.Equal("succeeded", payment.GetProperty("status").GetString());
            Assert.Equal(paid.GetProperty("title").GetString(), payment.GetProperty("courseTitle").GetString());
            Assert.Equal(JsonValueKind.Null, payment.GetProperty("clientSecret").ValueKind);
        });
    }
}
