using System.Collections.Concurrent;
using Azora.Client;
using Azora.Client.Generated.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Azora.Tests.Sdk;

/// <summary>
/// The code of sdk/dotnet/Azora.Client/README.md. Each block between "// README: name" and "// README end" is one of
/// the README's C# examples, word for word (DotNetClientReadmeTests checks), and DotNetClientTests runs them against
/// the stack: the README shows only code that works.
/// </summary>
internal static class ReadmeExamples
{
    public static async Task<ProfileResponse> SignInAsync(Uri apiAddress, string email, string password)
    {
        // README: sign-in
        using var client = new AzoraClient(apiAddress);   // e.g. new Uri("http://localhost:5080")
        await client.SignInAsync(email, password);        // the tokens stay in the client and are refreshed by it

        var profile = await client.GetProfileAsync();
        Console.WriteLine($"Signed in as {profile.Name} ({string.Join(", ", profile.Roles ?? [])})");
        // README end
        return profile;
    }

    public static async Task<(AzoraPage<CourseSummary> Page, List<CourseSummary> FreeCourses)> BrowseAsync(AzoraClient client)
    {
        // README: paging
        var page = await client.ListCoursesAsync(new CourseFilter { Category = "programming" }, page: 1, limit: 10);
        Console.WriteLine($"{page.Total} programming courses, {page.Pages} pages of 10");

        var freeCourses = new List<CourseSummary>();
        await foreach (var course in client.ListAllCoursesAsync(new CourseFilter { Free = true }))
        {
            freeCourses.Add(course);   // every free course, fetched a page at a time as the loop goes on
        }
        // README end
        return (page, freeCourses);
    }

    public static async Task<EnrollmentResponse> LearnAsync(AzoraClient client)
    {
        // README: learning
        var detail = await client.GetCourseAsync("mixing-and-mastering");   // an id or a slug
        var courseId = detail.Course!.Id!.Value;

        var enrollment = await client.EnrollAsync(courseId);                // a free course; again returns the same enrollment
        enrollment = await client.CompleteLessonAsync(courseId, detail.Lessons![0].Id!.Value);
        Console.WriteLine($"{enrollment.Progress!.CompletedLessons} of {enrollment.Progress.TotalLessons} lessons done");
        // README end
        return enrollment;
    }

    public static async Task<List<string>> ShowErrorsAsync(AzoraClient client)
    {
        List<string> invalidFields = [];
        // README: errors
        try
        {
            await client.RegisterAsync("not-an-email", "short", "Ada");
        }
        catch (AzoraApiException problem) when (problem.Code == "VALIDATION_ERROR")
        {
            foreach (var (field, messages) in problem.Errors)
            {
                Console.WriteLine($"{field}: {string.Join(" ", messages)}");
            }

            invalidFields = [.. problem.Errors.Keys];   // e.g. to mark the fields of your form
        }
        // README end
        return invalidFields;
    }

    public static async Task<(PaymentIntentResponse Intent, PaymentResponse Payment)> PayAsync(AzoraClient client, Guid courseId)
    {
        // README: payment
        var intent = await client.CreatePaymentIntentAsync(courseId);   // with an Idempotency-Key, kept across retries
        // Hand intent.ClientSecret to Stripe.js; the enrollment follows once Stripe confirms the payment.
        var payment = await client.GetPaymentAsync(intent.PaymentId!.Value);
        Console.WriteLine($"{payment.Status}: {payment.Amount} {payment.Currency}");
        // README end
        return (intent, payment);
    }

    public static async Task<(CreatedApiKeyResponse Key, WebhookResponse Subscription)> SubscribeWithApiKeyAsync(AzoraClient instructor, Uri apiAddress, string webhookUrl)
    {
        // README: api-key
        var created = await instructor.CreateApiKeyAsync("LMS sync", [AzoraApiKeyScopes.WebhooksManage, AzoraApiKeyScopes.CatalogRead]);
        // created.Key is shown this once: keep it in your secret store.

        using var partner = new AzoraClient(apiAddress, new AzoraClientOptions { ApiKey = created.Key });
        var subscription = await partner.CreateWebhookAsync(webhookUrl, [AzoraEventTypes.CourseEnrolled, AzoraEventTypes.Ping]);
        // subscription.Secret signs every delivery: keep it for AzoraWebhooks.Verify.
        await partner.PingWebhookAsync(subscription.Id!.Value);
        // README end
        return (created, subscription);
    }

    public static void MapWebhookEndpoint(WebApplication app, IReadOnlyList<string> webhookSecrets, ConcurrentQueue<AzoraWebhookEvent> received)
    {
        // README: webhook-endpoint
        app.MapPost("/hooks/azora", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();   // the raw body, exactly as it came
            try
            {
                var delivery = AzoraWebhooks.Verify(body, request.Headers[AzoraWebhooks.SignatureHeader], webhookSecrets);
                received.Enqueue(delivery);              // deduplicate on delivery.Id: an event can come twice
                return Results.Ok();
            }
            catch (AzoraWebhookVerificationException)
            {
                return Results.BadRequest();             // forged, altered, stale or not ours: act on nothing
            }
        });
        // README end
    }

    public static async Task<CourseDetail?> UseTheGeneratedClientAsync(AzoraClient client)
    {
        // README: generated
        var course = await client.Api.Api.Education.Courses["sql-for-analysts"].GetAsync();
        // README end
        return course;
    }

    public static void AddToServices(HostApplicationBuilder builder)
    {
        // README: dependency-injection
        builder.Services.AddAzoraClient(options => options.BaseAddress = new Uri("https+http://api"));
        // README end
    }
}
