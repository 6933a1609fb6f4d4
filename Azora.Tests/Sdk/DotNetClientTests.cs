using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Azora.Client;
using Azora.Client.Generated.Models;
using Azora.Tests.Api;
using Azora.Tests.Stack;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Azora.Tests.Sdk;

/// <summary>Azora.Client, the .NET SDK, against the whole stack: the README's examples and the SDK's promises.</summary>
[Collection(StackCollection.Name)]
public sealed class DotNetClientTests(AzoraStackFixture stack)
{
    private Uri ApiAddress => stack.App.GetEndpoint("api", "http");

    private async Task<AzoraClient> LearnerAsync()
    {
        var client = new AzoraClient(ApiAddress);
        await client.RegisterAsync(TestAccounts.NewEmail("sdk"), TestAccounts.Password, "Ada Lovelace");
        return client;
    }

    private async Task<AzoraClient> InstructorAsync()
    {
        using var http = stack.CreateApiClient();
        var instructor = await TestRoles.SignInAsAsync(stack, http, "instructor");
        var client = new AzoraClient(ApiAddress);
        await client.SignInAsync(instructor.Email, TestAccounts.Password);
        return client;
    }

    [Fact]
    public async Task Register_then_sign_in_and_read_and_change_the_profile()
    {
        var email = TestAccounts.NewEmail("sdk");
        using (var registering = new AzoraClient(ApiAddress))
        {
            var registered = await registering.RegisterAsync(email, TestAccounts.Password, "Ada Lovelace");
            Assert.Equal(email, registered.User!.Email);
            Assert.Equal(registered, registering.Session);
            Assert.True(registered.ExpiresAt > DateTimeOffset.UtcNow.AddMinutes(10), $"expires at {registered.ExpiresAt}");
        }

        var profile = await ReadmeExamples.SignInAsync(ApiAddress, email, TestAccounts.Password);
        Assert.Equal(email, profile.Email);
        Assert.Equal([ProfileResponse_roles.Learner], profile.Roles);

        using var client = new AzoraClient(ApiAddress);
        await client.SignInAsync(email, TestAccounts.Password);
        var changed = await client.UpdateProfileAsync(bio: "Analyst");
        Assert.Equal("Analyst", changed.Bio);
        Assert.Equal("Ada Lovelace", changed.Name);
    }

    [Fact]
    public async Task The_catalog_lists_pages_and_every_course_and_one_course_by_slug_or_id()
    {
        using var client = new AzoraClient(ApiAddress);
        using var http = stack.CreateApiClient();
        using var everything = await http.GetAsync("/api/education/courses?limit=100");
        var total = (await everything.JsonAsync()).GetProperty("pagination").GetProperty("total").GetInt64();
        Assert.True(total > 7, $"the sample catalog has {total} courses");

        var first = await client.ListCoursesAsync(limit: 7);
        Assert.Equal(7, first.Items.Count);
        Assert.Equal((1, 7, total, (total + 6) / 7), (first.Page, first.Limit, first.Total, first.Pages));
        Assert.True(first.HasNext);
        var second = await client.ListCoursesAsync(page: 2, limit: 7);
        Assert.Empty(first.Items.Select(course => course.Id).Intersect(second.Items.Select(course => course.Id)));

        var all = new List<Guid>();
        await foreach (var course in client.ListAllCoursesAsync(pageSize: 7))
        {
            all.Add(course.Id!.Value);
        }

        Assert.Equal(total, all.Count);
        Assert.Equal(all.Count, all.Distinct().Count());

        var bySlug = await client.GetCourseAsync(first.Items[0].Slug!);
        var byId = await client.GetCourseAsync(first.Items[0].Id!.Value.ToString());
        Assert.Equal(first.Items[0].Id, bySlug.Course!.Id);
        Assert.Equal(bySlug.Course.Title, byId.Course!.Title);
        Assert.NotEmpty(bySlug.Lessons!);
        Assert.Equal(6, (await client.ListCategoriesAsync()).Count);
        Assert.Equal("sql-for-analysts", (await ReadmeExamples.UseTheGeneratedClientAsync(client))!.Course!.Slug);
    }

    [Fact]
    public async Task Filters_reach_the_API_and_the_README_paging_example_runs()
    {
        using var client = new AzoraClient(ApiAddress);

        var (page, freeCourses) = await ReadmeExamples.BrowseAsync(client);

        Assert.NotEmpty(page.Items);
        Assert.All(page.Items, course => Assert.Equal("programming", course.Category!.Slug));
        Assert.NotEmpty(freeCourses);
        Assert.All(freeCourses, course => Assert.True(course.IsFree));
        var paid = await client.ListCoursesAsync(new CourseFilter { Free = false }, limit: 100);
        Assert.Equal(paid.Total + freeCourses.Count, (await client.ListCoursesAsync(limit: 1)).Total);
    }

    [Fact]
    public async Task A_learner_enrolls_in_a_free_course_completes_a_lesson_and_finds_the_enrollment()
    {
        using var client = await LearnerAsync();

        var enrollment = await ReadmeExamples.LearnAsync(client);

        Assert.Equal(EnrollmentResponse_status.Active, enrollment.Status);
        Assert.Equal(1, enrollment.Progress!.CompletedLessons);
        var again = await client.EnrollAsync(enrollment.Course!.Id!.Value);
        Assert.Equal(enrollment.Id, again.Id);
        var mine = new List<Guid>();
        await foreach (var each in client.ListAllEnrollmentsAsync())
        {
            mine.Add(each.Id!.Value);
        }

        Assert.Equal([enrollment.Id!.Value], mine);
        var page = await client.ListEnrollmentsAsync();
        Assert.Equal(1, page.Total);
    }

    [Fact]
    public async Task A_paid_course_needs_a_payment_intent_which_an_idempotency_key_makes_once()
    {
        using var client = await LearnerAsync();
        var course = (await client.ListCoursesAsync(new CourseFilter { Free = false }, limit: 1)).Items.Single();

        var required = await Assert.ThrowsAsync<AzoraApiException>(() => client.EnrollAsync(course.Id!.Value));
        Assert.Equal((402, "PAYMENT_REQUIRED"), (required.Status, required.Code));

        // Paying needs a verified email: the token comes from the link in the mail the registration wrote.
        var unverified = await Assert.ThrowsAsync<AzoraApiException>(() => client.CreatePaymentIntentAsync(course.Id!.Value));
        Assert.Equal((403, "EMAIL_NOT_VERIFIED"), (unverified.Status, unverified.Code));
        var email = client.Session!.User!.Email!;
        await client.VerifyEmailAsync((await TestInbox.SingleAsync(stack, email, "Confirm your email")).LinkParameter("token"));
        Assert.True((await client.GetProfileAsync()).EmailVerified);
        var nothingToVerify = await Assert.ThrowsAsync<AzoraApiException>(() => client.ResendVerificationEmailAsync());
        Assert.Equal((409, "CONFLICT"), (nothingToVerify.Status, nothingToVerify.Code));

        var (intent, payment) = await ReadmeExamples.PayAsync(client, course.Id!.Value);
        Assert.Equal(course.Price!.Amount, intent.Amount);
        Assert.Equal(intent.PaymentId, payment.Id);
        Assert.Equal(PaymentResponse_status.Pending, payment.Status);

        var keyed = await client.CreatePaymentIntentAsync(course.Id.Value, idempotencyKey: $"sdk-{Guid.NewGuid():N}");
        Assert.Equal(intent.PaymentId, keyed.PaymentId);   // the learner's open intent for the course
        var mine = new List<Guid>();
        await foreach (var each in client.ListAllPaymentsAsync())
        {
            mine.Add(each.Id!.Value);
        }

        Assert.Equal([intent.PaymentId!.Value], mine);
    }

    [Fact]
    public async Task A_validation_error_is_an_AzoraApiException_with_its_fields()
    {
        using var client = new AzoraClient(ApiAddress);

        var invalidFields = await ReadmeExamples.ShowErrorsAsync(client);
        Assert.Contains("email", invalidFields);
        Assert.Contains("password", invalidFields);

        var problem = await Assert.ThrowsAsync<AzoraApiException>(() => client.RegisterAsync("not-an-email", "short", "Ada"));
        Assert.Equal(400, problem.Status);
        Assert.Equal("VALIDATION_ERROR", problem.Code);
        Assert.Matches("^[0-9a-f]{32}$", problem.TraceId);
        Assert.False(string.IsNullOrWhiteSpace(problem.Title));
        Assert.All(problem.Errors.Values, messages => Assert.NotEmpty(messages));
        Assert.Null(client.Session);

        var missing = await Assert.ThrowsAsync<AzoraApiException>(() => client.GetCourseAsync("no-such-course-anywhere"));
        Assert.Equal((404, "NOT_FOUND"), (missing.Status, missing.Code));
        // The generated client goes through the same pipeline: the same exception, not Kiota's.
        var viaGenerated = await Assert.ThrowsAsync<AzoraApiException>(() => client.Api.Api.Education.Courses["no-such-course-anywhere"].GetAsync());
        Assert.Equal("NOT_FOUND", viaGenerated.Code);
    }

    [Fact]
    public async Task A_refresh_replaces_both_tokens_and_the_old_refresh_token_stops_working()
    {
        using var client = await LearnerAsync();
        var before = client.Session!;
        AzoraSession? announced = null;
        client.SessionChanged += (_, session) => announced = session;

        var after = await client.RefreshAsync();

        Assert.NotEqual(before.AccessToken, after.AccessToken);
        Assert.NotEqual(before.RefreshToken, after.RefreshToken);
        Assert.Equal(after, announced);
        Assert.Equal(after, client.Session);
        Assert.Equal(before.User!.Email, (await client.GetProfileAsync()).Email);
        using var http = stack.CreateApiClient();
        using var replay = await http.PostJsonAsync("/api/auth/refresh", new { refreshToken = before.RefreshToken });
        Assert.Equal(HttpStatusCode.Unauthorized, replay.StatusCode);
    }

    [Fact]
    public async Task A_request_refused_with_401_is_refreshed_and_sent_again()
    {
        using var client = await LearnerAsync();
        var real = client.Session!;
        // An access token the API refuses, with a good refresh token and an expiry far off: only the 401 tells.
        client.UseSession(real with { AccessToken = "not-a-token", ExpiresAt = DateTimeOffset.UtcNow.AddHours(1) });

        var profile = await client.GetProfileAsync();

        Assert.Equal(real.User!.Email, profile.Email);
        Assert.NotEqual("not-a-token", client.Session!.AccessToken);
        Assert.NotEqual(real.RefreshToken, client.Session.RefreshToken);
    }

    [Fact]
    public async Task A_refused_refresh_token_ends_the_session_with_its_code()
    {
        using var client = await LearnerAsync();
        client.UseSession(client.Session! with { AccessToken = "not-a-token", RefreshToken = "not-a-refresh-token" });

        var problem = await Assert.ThrowsAsync<AzoraApiException>(() => client.GetProfileAsync());

        Assert.Equal((401, "INVALID_REFRESH_TOKEN"), (problem.Status, problem.Code));
        Assert.Null(client.Session);
    }

    [Fact]
    public async Task Signing_out_ends_the_session_at_the_API_and_in_the_client()
    {
        using var client = await LearnerAsync();
        var session = client.Session!;

        await client.SignOutAsync();

        Assert.Null(client.Session);
        using var http = stack.CreateApiClient();
        using var afterwards = await http.GetAsync("/api/auth/profile", session.AccessToken);
        Assert.Equal(HttpStatusCode.Unauthorized, afterwards.StatusCode);
        var anonymous = await Assert.ThrowsAsync<AzoraApiException>(() => client.GetProfileAsync());
        Assert.Equal((401, "UNAUTHORIZED"), (anonymous.Status, anonymous.Code));
        await client.SignOutAsync();   // nothing to do, and no error
    }

    [Fact]
    public async Task A_signed_delivery_from_the_real_relay_verifies_and_a_wrong_secret_is_refused()
    {
        using var receiver = new WebhookReceiver();
        using var instructor = await InstructorAsync();
        var (key, subscription) = await ReadmeExamples.SubscribeWithApiKeyAsync(instructor, ApiAddress, receiver.Url);

        var ping = (await receiver.WaitForAsync(1)).Single();
        var delivery = AzoraWebhooks.Verify(ping.Body, ping.Signature, subscription.Secret!);
        Assert.Equal(AzoraEventTypes.Ping, delivery.Type);
        Assert.Equal(ping.EventId, delivery.Id.ToString());
        Assert.Equal(subscription.Id, delivery.Data.GetProperty("subscriptionId").GetGuid());
        var refused = Assert.Throws<AzoraWebhookVerificationException>(() => AzoraWebhooks.Verify(ping.Body, ping.Signature, "whsec_not_the_secret"));
        Assert.Equal(AzoraWebhookFailure.SignatureMismatch, refused.Failure);

        // After a rotation each delivery is signed with both secrets, and either verifies it.
        using var partner = new AzoraClient(ApiAddress, new AzoraClientOptions { ApiKey = key.Key });
        var rotated = await partner.RotateWebhookSecretAsync(subscription.Id!.Value);
        await partner.PingWebhookAsync(subscription.Id.Value);
        var second = (await receiver.WaitForAsync(2)).Last();
        Assert.Equal(2, second.Signature.Split(',').Count(part => part.StartsWith("v1=")));
        Assert.Equal(AzoraEventTypes.Ping, AzoraWebhooks.Verify(second.Body, second.Signature, rotated.Secret!).Type);
        Assert.Equal(AzoraEventTypes.Ping, AzoraWebhooks.Verify(second.Body, second.Signature, subscription.Secret!).Type);

        // The key is listed for its owner without its value, and once revoked it is refused.
        var listed = Assert.Single(await instructor.ListApiKeysAsync(), each => each.Id == key.Id);
        Assert.Equal([ApiKeyResponse_scopes.WebhooksManage, ApiKeyResponse_scopes.CatalogRead], listed.Scopes!.Order());
        Assert.Equal(subscription.Id, Assert.Single(await partner.ListWebhooksAsync()).Id);
        await instructor.RevokeApiKeyAsync(key.Id!.Value);
        var revoked = await Assert.ThrowsAsync<AzoraApiException>(() => partner.ListWebhooksAsync());
        Assert.Equal(401, revoked.Status);
    }

    [Fact]
    public async Task The_README_webhook_endpoint_takes_real_deliveries_and_refuses_them_with_the_wrong_secret()
    {
        var port = WebhookReceiver.FreePort();
        var received = new ConcurrentQueue<AzoraWebhookEvent>();
        var secrets = new List<string>();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        await using var app = builder.Build();
        ReadmeExamples.MapWebhookEndpoint(app, secrets, received);
        await app.StartAsync();
        using var instructor = await InstructorAsync();

        var good = await instructor.CreateWebhookAsync($"http://127.0.0.1:{port}/hooks/azora", [AzoraEventTypes.Ping]);
        secrets.Add(good.Secret!);
        await instructor.PingWebhookAsync(good.Id!.Value);
        var delivered = await Eventually.ReadAsync(() => Task.FromResult(received.ToArray()), events => events.Length > 0, attempts: 150, TimeSpan.FromMilliseconds(200));
        Assert.Equal(good.Id, Assert.Single(delivered).Data.GetProperty("subscriptionId").GetGuid());

        // A second subscription to the same endpoint signs with a secret the endpoint does not know: 400, and no event.
        var unknown = await instructor.CreateWebhookAsync($"http://127.0.0.1:{port}/hooks/azora", [AzoraEventTypes.Ping]);
        await instructor.PingWebhookAsync(unknown.Id!.Value);
        var attempt = await Eventually.ReadAsync(
            async () => (await instructor.ListWebhookDeliveriesAsync(unknown.Id.Value)).Items.SingleOrDefault(),
            delivery => delivery?.LastStatusCode is not null, attempts: 150, TimeSpan.FromMilliseconds(200));
        Assert.Equal(400, attempt?.LastStatusCode);
        Assert.Single(received);
        await app.StopAsync();
    }

    [Fact]
    public async Task AddAzoraClient_finds_the_API_through_service_discovery()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Services:api:http:0"] = ApiAddress.ToString() });
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http => http.AddServiceDiscovery());   // what Aspire's service defaults do
        ReadmeExamples.AddToServices(builder);
        using var host = builder.Build();

        var client = host.Services.GetRequiredService<AzoraClient>();
        Assert.Same(client, host.Services.GetRequiredService<AzoraClient>());
        Assert.Equal("https+http://api/", client.BaseAddress.ToString());
        var page = await client.ListCoursesAsync(limit: 3);
        Assert.Equal(3, page.Items.Count);
        await client.RegisterAsync(TestAccounts.NewEmail("sdk-di"), TestAccounts.Password, "Ada Lovelace");
        Assert.Equal([ProfileResponse_roles.Learner], (await client.GetProfileAsync()).Roles);
    }
}
