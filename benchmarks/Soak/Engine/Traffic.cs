using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;

namespace Azora.Soak;

/// <summary>One request as a client saw it: its kind, which replica, when it started, how long it took, its status (0: no answer).</summary>
internal sealed record Sample(string Kind, string Replica, TimeSpan Start, double Milliseconds, int Status, bool Ok);

/// <summary>A paid purchase as the client made it, to hold the database to at the end.</summary>
internal sealed record Purchase(Guid PaymentId, string IntentId, string Outcome, bool StaleFailureSent);

/// <summary>One round of the prober: every request kind once on each replica, including a paid purchase to its end.</summary>
internal sealed record ProbeRound(TimeSpan Start, TimeSpan End, bool Ok, string? FirstFailure);

internal sealed record CourseInfo(Guid Id, string Slug, bool IsFree, Guid[] Lessons);

/// <summary>What every simulated client shares: the clock, the records, the catalog and the stack's addresses.</summary>
internal sealed class TrafficContext(SoakStack stack, IReadOnlyList<CourseInfo> courses, Stopwatch clock)
{
    public SoakStack Stack { get; } = stack;

    public IReadOnlyList<CourseInfo> Courses { get; } = courses;

    public Stopwatch Clock { get; } = clock;

    public ConcurrentQueue<Sample> Samples { get; } = new();

    public ConcurrentQueue<Purchase> Purchases { get; } = new();

    public ConcurrentQueue<ProbeRound> Rounds { get; } = new();

    /// <summary>Exceptions a client's scenario ended with (an answer not shaped as documented), each then started again.</summary>
    public ConcurrentQueue<string> ClientExceptions { get; } = new();

    public HttpClient Http { get; } = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(30) }) { Timeout = TimeSpan.FromSeconds(15) };

    public static readonly string[] SearchWords = ["sql", "data", "design", "python", "web", "security", "cloud", "intro", "advanced", "testing"];
}

/// <summary>A simulated client talking to one replica at a time through the public API, as an application would.</summary>
internal sealed class ApiCaller(TrafficContext context, string replica)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Replica { get; private set; } = replica;

    public Uri Base => Replica == "A" ? context.Stack.ApiAddress : context.Stack.ReplicaAddress;

    public string? Token { get; set; }

    public void Switch() => Replica = Replica == "A" ? "B" : "A";

    /// <summary>Sends, times and records one request; returns its status (0: no answer) and body.</summary>
    public async Task<(int Status, JsonElement Body)> SendAsync(string kind, HttpMethod method, string path, object? body, params int[] expected)
    {
        using var request = new HttpRequestMessage(method, new Uri(Base, path));
        if (body is not null)
        {
            request.Content = JsonContent.Create(body, options: Json);
        }

        if (Token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token);
        }

        return await TimedAsync(context, kind, Replica, request, expected);
    }

    public static async Task<(int Status, JsonElement Body)> TimedAsync(TrafficContext context, string kind, string replica, HttpRequestMessage request, int[] expected)
    {
        var start = context.Clock.Elapsed;
        var status = 0;
        var parsed = default(JsonElement);
        try
        {
            using var response = await context.Http.SendAsync(request);
            status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync();
            if (text.Length > 0 && response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.Ordinal) == true)
            {
                parsed = JsonDocument.Parse(text).RootElement.Clone();
            }
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException or JsonException)
        {
            // No answer (refused, reset, timed out): status 0.
        }

        context.Samples.Enqueue(new Sample(kind, replica, start, (context.Clock.Elapsed - start).TotalMilliseconds, status, expected.Contains(status)));
        return (status, parsed);
    }
}

/// <summary>The scenarios: anonymous browsing, and members who sign up, learn and buy; plus the prober's rounds.</summary>
internal static class Scenarios
{
    public const string Password = "soak-passphrase-of-some-length";

    public static async Task AnonymousAsync(TrafficContext context, ApiCaller caller, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            await BrowseAsync(context, caller);
            caller.Switch();
            await PauseAsync(50, 250, stop);
        }
    }

    /// <summary>A catalog page, a search and a course; returns the first that failed (null: none).</summary>
    public static async Task<string?> BrowseAsync(TrafficContext context, ApiCaller caller)
    {
        var word = TrafficContext.SearchWords[Random.Shared.Next(TrafficContext.SearchWords.Length)];
        var course = context.Courses[Random.Shared.Next(context.Courses.Count)];
        string? failure = null;
        foreach (var (kind, path) in new[]
                 {
                     ("browse", $"/api/education/courses?page={Random.Shared.Next(1, 3)}&limit=20"),
                     ("search", $"/api/education/courses?q={word}"),
                     ("course", $"/api/education/courses/{course.Slug}"),
                 })
        {
            var (status, _) = await caller.SendAsync(kind, HttpMethod.Get, path, null, 200);
            failure ??= status == 200 ? null : $"{kind} on {caller.Replica}: {status}";
        }

        return failure;
    }

    /// <summary>A member: signs up and in, reads the profile, enrolls in a free course, completes lessons, buys paid courses.</summary>
    public static async Task MemberAsync(TrafficContext context, ApiCaller caller, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            caller.Token = null;
            var (member, _) = await SignUpAsync(context, caller);
            if (member is null)
            {
                await PauseAsync(300, 800, stop);
                continue;
            }

            var (userId, email) = member.Value;
            for (var visit = 0; visit < 3 && !stop.IsCancellationRequested; visit++)
            {
                caller.Switch();
                await caller.SendAsync("profile", HttpMethod.Get, "/api/auth/profile", null, 200);
                await LearnFreeAsync(context, caller);
                await PauseAsync(50, 200, stop);
            }

            if (await VerifyAsync(context, userId))
            {
                var bought = new HashSet<Guid>();
                for (var purchase = 0; purchase < 2 && !stop.IsCancellationRequested; purchase++)
                {
                    var paid = context.Courses.Where(course => !course.IsFree && !bought.Contains(course.Id)).ToList();
                    var course = paid[Random.Shared.Next(paid.Count)];
                    bought.Add(course.Id);
                    var roll = Random.Shared.Next(10);
                    await BuyAsync(context, caller, course, roll < 2 ? "decline" : "succeed", duplicates: roll == 9, staleFailure: roll >= 8);
                    caller.Switch();
                }
            }

            // The session ends; a returning member signs in again once.
            caller.Token = null;
            var (status, body) = await caller.SendAsync("login", HttpMethod.Post, "/api/auth/login", new { email, password = Password }, 200);
            if (status == 200)
            {
                caller.Token = body.GetProperty("accessToken").GetString();
                await caller.SendAsync("profile", HttpMethod.Get, "/api/auth/profile", null, 200);
            }

            await PauseAsync(100, 400, stop);
        }
    }

    /// <summary>
    /// Registers on the caller's replica and signs in on the other (an account made on one replica works on both);
    /// the member, or which of the two requests failed and how (a replica that is down fails the sign-up begun on the
    /// other one at its second step).
    /// </summary>
    public static async Task<((Guid UserId, string Email)? Member, string? Failure)> SignUpAsync(TrafficContext context, ApiCaller caller)
    {
        var email = $"soak-{Guid.NewGuid():N}@example.com";
        var (registered, _) = await caller.SendAsync("register", HttpMethod.Post, "/api/auth/register", new { email, password = Password, name = "Soak Learner" }, 202);
        if (registered != 202)
        {
            return (null, $"sign-up: register on {caller.Replica}: {registered}");
        }

        caller.Switch();
        var (status, body) = await caller.SendAsync("login", HttpMethod.Post, "/api/auth/login", new { email, password = Password }, 200);
        if (status != 200)
        {
            return (null, $"sign-up: login on {caller.Replica}: {status}");
        }

        caller.Token = body.GetProperty("accessToken").GetString();
        return ((Guid.Parse(body.GetProperty("user").GetProperty("id").GetString()!), email), null);
    }

    /// <summary>Enrolls in a free course and completes its first lesson; true when both answered as they should.</summary>
    public static async Task<bool> LearnFreeAsync(TrafficContext context, ApiCaller caller)
    {
        var free = context.Courses.Where(course => course.IsFree && course.Lessons.Length > 0).ToList();
        var course = free[Random.Shared.Next(free.Count)];
        var (enrolled, _) = await caller.SendAsync("enroll", HttpMethod.Post, $"/api/education/courses/{course.Id}/enroll", null, 200, 201);
        if (enrolled is not (200 or 201))
        {
            return false;
        }

        var lesson = course.Lessons[Random.Shared.Next(course.Lessons.Length)];
        var (completed, _) = await caller.SendAsync("complete-lesson", HttpMethod.Post, $"/api/education/courses/{course.Id}/lessons/{lesson}/complete", null, 200);
        return completed == 200;
    }

    /// <summary>
    /// Email verification is not what the soak exercises (mail has tests of its own): a member about to pay is marked
    /// verified in the database, as the test suite does.
    /// </summary>
    public static async Task<bool> VerifyAsync(TrafficContext context, Guid userId)
    {
        try
        {
            await using var connection = new NpgsqlConnection(context.Stack.DatabaseConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("UPDATE users SET email_verified_at = now() WHERE id = @id", connection);
            command.Parameters.AddWithValue("id", userId);
            return await command.ExecuteNonQueryAsync() == 1;
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// A paid purchase: the intent from the API, the card's outcome at the Stripe emulator (which answers at once and
    /// delivers the signed webhook in the background, retrying until the worker takes it, as Stripe does;
    /// <paramref name="duplicates"/>: three copies at once), then the payment read back until it settles, and then
    /// optionally a stale failure event delivered after the success (out of order). True when it ended as the card said.
    /// </summary>
    public static async Task<bool> BuyAsync(TrafficContext context, ApiCaller caller, CourseInfo course, string outcome, bool duplicates, bool staleFailure)
    {
        var (created, intent) = await caller.SendAsync("pay", HttpMethod.Post, "/api/pay/payment-intent", new { courseId = course.Id }, 200, 201);
        if (created is not (200 or 201))
        {
            return false;
        }

        var paymentId = Guid.Parse(intent.GetProperty("paymentId").GetString()!);
        var intentId = intent.GetProperty("paymentIntentId").GetString()!;
        using var card = new HttpRequestMessage(HttpMethod.Post, new Uri(context.Stack.StripeEmulatorAddress, $"/emulator/payment_intents/{intentId}/{outcome}?deliveries={(duplicates ? 3 : 1)}"));
        var (cardStatus, _) = await ApiCaller.TimedAsync(context, "card (emulator)", "-", card, [200]);
        if (cardStatus != 200)
        {
            return false;
        }

        var expected = outcome == "succeed" ? "succeeded" : "failed";
        var settled = false;
        var deadline = context.Clock.Elapsed + TimeSpan.FromSeconds(10);
        while (!settled && context.Clock.Elapsed < deadline)
        {
            var (status, payment) = await caller.SendAsync("payment-status", HttpMethod.Get, $"/api/pay/payments/{paymentId}", null, 200);
            settled = status == 200 && payment.GetProperty("status").GetString() == expected;
            if (!settled)
            {
                await Task.Delay(250);
            }
        }

        var stale = settled && staleFailure && outcome == "succeed" && await SendStaleFailureAsync(context, intentId);
        context.Purchases.Enqueue(new Purchase(paymentId, intentId, outcome, stale));
        if (!settled)
        {
            return false;
        }

        if (outcome == "succeed" && course.Lessons.Length > 0)
        {
            var (completed, _) = await caller.SendAsync("complete-lesson", HttpMethod.Post, $"/api/education/courses/{course.Id}/lessons/{course.Lessons[0]}/complete", null, 200);
            return completed == 200;
        }

        return true;
    }

    /// <summary>A payment_failed event created a minute before the success, delivered after it, as Stripe may (out of order).</summary>
    private static async Task<bool> SendStaleFailureAsync(TrafficContext context, string intentId)
    {
        var payload = JsonSerializer.Serialize(new
        {
            id = $"evt_soak_{Guid.NewGuid():N}",
            @object = "event",
            api_version = Stripe.StripeConfiguration.ApiVersion,
            created = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(),
            type = "payment_intent.payment_failed",
            livemode = false,
            pending_webhooks = 1,
            data = new
            {
                @object = new
                {
                    id = intentId,
                    @object = "payment_intent",
                    status = "requires_payment_method",
                    last_payment_error = new { code = "card_declined", message = "Your card was declined.", type = "card_error" },
                },
            },
        });
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var signature = Convert.ToHexString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(SoakStack.StripeWebhookSecret), Encoding.UTF8.GetBytes($"{timestamp}.{payload}"))).ToLowerInvariant();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(context.Stack.PaymentsAddress, "/webhooks/stripe"))
        {
            Content = new StringContent(payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("Stripe-Signature", $"t={timestamp},v1={signature}");
        var (status, _) = await ApiCaller.TimedAsync(context, "stripe webhook (stale)", "-", request, [200]);
        return status == 200;
    }

    /// <summary>Rounds of every request kind on both replicas, back to back; a round is ok when every request was.</summary>
    public static async Task ProbeAsync(TrafficContext context, CancellationToken stop)
    {
        var paid = context.Courses.First(course => !course.IsFree);
        while (!stop.IsCancellationRequested)
        {
            var start = context.Clock.Elapsed;
            var failure = await RoundAsync(context, paid);
            context.Rounds.Enqueue(new ProbeRound(start, context.Clock.Elapsed, failure is null, failure));
            await PauseAsync(200, 300, stop);
        }
    }

    private static async Task<string?> RoundAsync(TrafficContext context, CourseInfo paid)
    {
        foreach (var replica in new[] { "A", "B" })
        {
            var caller = new ApiCaller(context, replica);
            if (await BrowseAsync(context, caller) is { } browseFailure)
            {
                return browseFailure;
            }

            var (member, signUpFailure) = await SignUpAsync(context, new ApiCaller(context, replica) { Token = null });
            if (member is null)
            {
                return signUpFailure;
            }

            var (loggedIn, token) = await LoginAgainAsync(context, caller, member.Value.Email);
            caller.Token = token ?? "";
            if (caller.Token.Length == 0)
            {
                return $"login on {replica}: {loggedIn}";
            }

            var (profile, _) = await caller.SendAsync("profile", HttpMethod.Get, "/api/auth/profile", null, 200);
            if (profile != 200)
            {
                return $"profile on {replica}: {profile}";
            }

            if (!await LearnFreeAsync(context, caller))
            {
                return $"enroll or lesson on {replica}";
            }

            if (!await VerifyAsync(context, member.Value.UserId))
            {
                return "verify (database)";
            }

            if (!await BuyAsync(context, caller, paid, "succeed", duplicates: false, staleFailure: false))
            {
                return $"purchase on {replica}";
            }
        }

        return null;
    }

    private static async Task<(int Status, string? Token)> LoginAgainAsync(TrafficContext context, ApiCaller caller, string email)
    {
        var (status, body) = await caller.SendAsync("login", HttpMethod.Post, "/api/auth/login", new { email, password = Password }, 200);
        return (status, status == 200 ? body.GetProperty("accessToken").GetString() : null);
    }

    private static Task PauseAsync(int fromMs, int toMs, CancellationToken stop) =>
        Task.Delay(Random.Shared.Next(fromMs, toMs), stop).ContinueWith(_ => { }, TaskScheduler.Default);
}
