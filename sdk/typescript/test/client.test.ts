// The hand-written layer against a scripted local server: errors, 429 retries, idempotency keys, sign-in, refresh and
// paging. The live API is exercised in live.test.ts.
import assert from "node:assert/strict";
import { afterEach, describe, test } from "node:test";
import { AzoraApiError, AzoraClient, type RateLimitedEvent, type Session } from "@azora/sdk";
import { json, problem, profile, startServer, tokens, type Handler, type TestServer } from "./support/server.js";

let server: TestServer | undefined;

async function serve(handler: Handler): Promise<TestServer> {
  server = await startServer(handler);
  return server;
}

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function rejection(promise: Promise<unknown>): Promise<AzoraApiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AzoraApiError, `expected an AzoraApiError, got ${String(error)}`);
    return error;
  }

  assert.fail("expected the call to throw");
}

const page = { data: [], pagination: { page: 1, limit: 20, total: 0, pages: 0 } };
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("errors", () => {
  test("a problem answer becomes an AzoraApiError with every member", async () => {
    const { url } = await serve((_, response) =>
      problem(response, 400, "VALIDATION_ERROR", {
        title: "One or more validation errors occurred.",
        detail: "One or more fields are invalid; see errors.",
        instance: "/api/auth/register",
        errors: { password: ["Use at least 12 characters."], email: ["Enter an email address."] },
      }),
    );
    const client = new AzoraClient({ baseUrl: url });

    const error = await rejection(client.register({ email: "x", password: "short", name: "Ada" }));

    assert.equal(error.status, 400);
    assert.equal(error.code, "VALIDATION_ERROR");
    assert.equal(error.title, "One or more validation errors occurred.");
    assert.equal(error.detail, "One or more fields are invalid; see errors.");
    assert.deepEqual(error.errors, { password: ["Use at least 12 characters."], email: ["Enter an email address."] });
    assert.equal(error.traceId, "trace-validation_error");
    assert.equal(error.instance, "/api/auth/register");
    assert.equal(error.isProblem, true);
    assert.match(error.message, /400 VALIDATION_ERROR: .*password: Use at least 12 characters\./);
    assert.equal(error.name, "AzoraApiError");
    assert.ok(error instanceof Error);
  });

  test("a problem without errors has an empty errors object", async () => {
    const { url } = await serve((_, response) => problem(response, 404, "NOT_FOUND", { detail: "No such course." }));

    const error = await rejection(new AzoraClient({ baseUrl: url }).getCourse("nope"));

    assert.equal(error.code, "NOT_FOUND");
    assert.deepEqual(error.errors, {});
    assert.equal(error.message, "404 NOT_FOUND: No such course.");
  });

  test("an answer that is not a problem gets an HTTP_<status> code and its text as detail", async () => {
    const { url } = await serve((_, response) => {
      response.writeHead(502, { "Content-Type": "text/html" }).end("<html>Bad gateway from the ingress</html>");
    });

    const error = await rejection(new AzoraClient({ baseUrl: url }).listCategories());

    assert.equal(error.status, 502);
    assert.equal(error.code, "HTTP_502");
    assert.equal(error.title, "HTTP 502 Bad Gateway");
    assert.equal(error.detail, "<html>Bad gateway from the ingress</html>");
    assert.equal(error.isProblem, false);
    assert.equal(error.traceId, undefined);
  });

  test("an empty error answer, and JSON that is not a problem, fall back too", async () => {
    let call = 0;
    const { url } = await serve((_, response) => {
      if (call++ === 0) {
        response.writeHead(500).end();
      } else {
        json(response, 500, ["not", "a", "problem"]);
      }
    });
    const client = new AzoraClient({ baseUrl: url });

    const empty = await rejection(client.listCategories());
    const array = await rejection(client.listCategories());

    assert.equal(empty.code, "HTTP_500");
    assert.equal(empty.detail, undefined);
    assert.equal(array.code, "HTTP_500");
    assert.equal(array.isProblem, false);
  });
});

describe("429 Too Many Requests", () => {
  test("waits Retry-After and retries, then returns the success", async () => {
    let call = 0;
    const { url, seen } = await serve((_, response) =>
      call++ === 0 ? problem(response, 429, "RATE_LIMIT_EXCEEDED", {}, { "Retry-After": "1" }) : json(response, 200, { data: [] }),
    );
    const waits: RateLimitedEvent[] = [];
    const client = new AzoraClient({ baseUrl: url, onRateLimited: (event) => waits.push(event) });

    const categories = await client.listCategories();

    assert.deepEqual(categories, { data: [] });
    assert.equal(seen.length, 2);
    assert.deepEqual(waits.map(({ retry, waitSeconds }) => ({ retry, waitSeconds })), [{ retry: 1, waitSeconds: 1 }]);
    assert.equal(new URL(waits[0]!.request.url).pathname, "/api/education/categories");
  });

  test("gives up after maxRetries and throws the 429 with its Retry-After", async () => {
    const { url, seen } = await serve((_, response) => problem(response, 429, "RATE_LIMIT_EXCEEDED", {}, { "Retry-After": "0" }));
    const waits: number[] = [];
    const client = new AzoraClient({ baseUrl: url, rateLimit: { maxRetries: 3 }, onRateLimited: (event) => waits.push(event.retry) });

    const error = await rejection(client.listCategories());

    assert.equal(error.status, 429);
    assert.equal(error.code, "RATE_LIMIT_EXCEEDED");
    assert.equal(error.retryAfterSeconds, 0);
    assert.equal(seen.length, 4);
    assert.deepEqual(waits, [1, 2, 3]);
  });

  test("throws at once when Retry-After is longer than maxWaitSeconds", async () => {
    const { url, seen } = await serve((_, response) => problem(response, 429, "RATE_LIMIT_EXCEEDED", {}, { "Retry-After": "3600" }));
    const client = new AzoraClient({ baseUrl: url, rateLimit: { maxWaitSeconds: 10 } });

    const error = await rejection(client.listCategories());

    assert.equal(error.retryAfterSeconds, 3600);
    assert.equal(seen.length, 1);
  });

  test("reads Retry-After given as an HTTP date", async () => {
    const { url, seen } = await serve((_, response) =>
      problem(response, 429, "RATE_LIMIT_EXCEEDED", {}, { "Retry-After": new Date(Date.now() + 2 * 3600_000).toUTCString() }),
    );

    const error = await rejection(new AzoraClient({ baseUrl: url }).listCategories());

    assert.ok(error.retryAfterSeconds !== undefined && error.retryAfterSeconds > 7000 && error.retryAfterSeconds <= 7200, String(error.retryAfterSeconds));
    assert.equal(seen.length, 1);
  });

  test("waits one second when the API gives no Retry-After", async () => {
    let call = 0;
    const { url } = await serve((_, response) => (call++ === 0 ? problem(response, 429, "RATE_LIMIT_EXCEEDED") : json(response, 200, { data: [] })));
    const waits: number[] = [];

    await new AzoraClient({ baseUrl: url, onRateLimited: (event) => waits.push(event.waitSeconds) }).listCategories();

    assert.deepEqual(waits, [1]);
  });

  test("maxRetries 0 throws the first 429", async () => {
    const { url, seen } = await serve((_, response) => problem(response, 429, "RATE_LIMIT_EXCEEDED", {}, { "Retry-After": "0" }));

    const error = await rejection(new AzoraClient({ baseUrl: url, rateLimit: { maxRetries: 0 } }).listCategories());

    assert.equal(error.status, 429);
    assert.equal(seen.length, 1);
  });

  test("aborting the request ends the wait", async () => {
    let call = 0;
    const { url } = await serve((_, response) =>
      call++ === 0 ? problem(response, 429, "RATE_LIMIT_EXCEEDED", {}, { "Retry-After": "30" }) : json(response, 200, { data: [] }),
    );
    const controller = new AbortController();
    const client = new AzoraClient({ baseUrl: url, onRateLimited: () => controller.abort(new Error("caller gave up")) });

    await assert.rejects(client.api.GET("/api/education/categories", { signal: controller.signal }), /caller gave up/);
    assert.equal(call, 1);
  });

  test("other errors are not retried", async () => {
    const { url, seen } = await serve((_, response) => problem(response, 503, "SERVICE_UNAVAILABLE", {}, { "Retry-After": "0" }));

    const error = await rejection(new AzoraClient({ baseUrl: url }).listCategories());

    assert.equal(error.code, "SERVICE_UNAVAILABLE");
    assert.equal(seen.length, 1);
  });
});

describe("idempotency keys", () => {
  const intent = { paymentId: "p", paymentIntentId: "pi_1", clientSecret: "pi_1_secret", amount: 4900, currency: "USD", status: "pending" };

  test("a payment intent gets a new UUID key per call, and the SDK's retries reuse it with the same body", async () => {
    let call = 0;
    const { url, seen } = await serve((_, response) =>
      call++ === 0 ? problem(response, 429, "RATE_LIMIT_EXCEEDED", {}, { "Retry-After": "0" }) : json(response, 201, intent),
    );
    const client = new AzoraClient({ baseUrl: url, session: { accessToken: "a1", refreshToken: "r1", expiresAt: new Date(Date.now() + 600_000) } });

    assert.deepEqual(await client.createPaymentIntent({ courseId: "c1", currency: "USD" }), intent);
    await client.createPaymentIntent({ courseId: "c1" });

    assert.equal(seen.length, 3);
    const [first, retry, second] = seen.map((request) => request.headers["idempotency-key"]);
    assert.match(String(first), uuid);
    assert.equal(retry, first);
    assert.match(String(second), uuid);
    assert.notEqual(second, first);
    assert.equal(seen[1]!.body, seen[0]!.body);
    assert.deepEqual(JSON.parse(seen[0]!.body), { courseId: "c1", currency: "USD" });
  });

  test("the caller's key is sent as given, and reused after a refresh", async () => {
    const { url, seen } = await serve((request, response) => {
      if (request.path === "/api/auth/refresh") {
        json(response, 200, tokens("a2", "r2"));
      } else if (request.headers.authorization === "Bearer a1") {
        problem(response, 401, "UNAUTHORIZED");
      } else {
        json(response, 201, intent);
      }
    });
    const client = new AzoraClient({ baseUrl: url, session: { accessToken: "a1", refreshToken: "r1", expiresAt: new Date(Date.now() + 600_000) } });

    await client.createPaymentIntent({ courseId: "c1" }, { idempotencyKey: "order-1234" });

    const intents = seen.filter((request) => request.path === "/api/pay/payment-intent");
    assert.deepEqual(intents.map((request) => [request.headers.authorization, request.headers["idempotency-key"]]), [
      ["Bearer a1", "order-1234"],
      ["Bearer a2", "order-1234"],
    ]);
  });
});

describe("sign-in and tokens", () => {
  function api(options: { loginExpiresIn?: number; refreshExpiresIn?: number; valid?: (token: string | undefined) => boolean } = {}): Handler {
    let issued = 1;
    return (request, response) => {
      if (request.path === "/api/auth/login") {
        json(response, 200, tokens("a1", "r1", options.loginExpiresIn ?? 900));
      } else if (request.path === "/api/auth/register") {
        const { email } = JSON.parse(request.body) as { email: string };
        json(response, 202, { email: email.trim(), verificationSent: true });
      } else if (request.path === "/api/auth/refresh") {
        const presented = (JSON.parse(request.body) as { refreshToken: string }).refreshToken;
        if (presented !== `r${issued}`) {
          problem(response, 401, "INVALID_REFRESH_TOKEN");
          return;
        }
        issued++;
        json(response, 200, tokens(`a${issued}`, `r${issued}`, options.refreshExpiresIn ?? 900));
      } else if (!(options.valid ?? ((token) => token !== undefined))(request.headers.authorization)) {
        problem(response, 401, "UNAUTHORIZED");
      } else if (request.path === "/api/auth/logout") {
        response.writeHead(204).end();
      } else {
        json(response, 200, profile);
      }
    };
  }

  test("signIn posts the credentials without a token, then requests carry the access token", async () => {
    const { url, seen } = await serve(api());
    const client = new AzoraClient({ baseUrl: url });

    const user = await client.signIn("ada@example.com", "a-lantern-by-the-river");
    await client.getProfile();

    assert.equal(user.email, "ada@example.com");
    assert.deepEqual(JSON.parse(seen[0]!.body), { email: "ada@example.com", password: "a-lantern-by-the-river" });
    assert.equal(seen[0]!.headers.authorization, undefined);
    assert.equal(seen[1]!.headers.authorization, "Bearer a1");
    assert.equal(client.session?.refreshToken, "r1");
    const expiresIn = client.session!.expiresAt.getTime() - Date.now();
    assert.ok(expiresIn > 800_000 && expiresIn <= 900_000, String(expiresIn));
  });

  test("register answers without tokens, so the client signs in with the same credentials", async () => {
    const { url, seen } = await serve(api());
    const client = new AzoraClient({ baseUrl: url });

    const user = await client.register({ email: " ada@example.com ", password: "a-lantern-by-the-river", name: "Ada" });

    assert.equal(user.email, "ada@example.com");
    assert.deepEqual(seen.map((request) => request.path), ["/api/auth/register", "/api/auth/login"]);
    assert.deepEqual(JSON.parse(seen[1]!.body), { email: "ada@example.com", password: "a-lantern-by-the-river" });
    assert.equal(client.session?.accessToken, "a1");
  });

  test("refreshes before a request when the access token is about to expire, and not otherwise", async () => {
    const { url, seen } = await serve(api({ loginExpiresIn: 30 }));
    const client = new AzoraClient({ baseUrl: url });
    await client.signIn("ada@example.com", "a-lantern-by-the-river");

    await client.getProfile();
    await client.getProfile();

    assert.deepEqual(seen.map((request) => `${request.path} ${request.headers.authorization ?? ""}`), [
      "/api/auth/login ",
      "/api/auth/refresh ",
      "/api/auth/profile Bearer a2",
      "/api/auth/profile Bearer a2",
    ]);
    assert.deepEqual(JSON.parse(seen[1]!.body), { refreshToken: "r1" });
  });

  test("concurrent calls share one refresh before expiry", async () => {
    const { url, seen } = await serve(api({ loginExpiresIn: 30 }));
    const client = new AzoraClient({ baseUrl: url });
    await client.signIn("ada@example.com", "a-lantern-by-the-river");

    await Promise.all(Array.from({ length: 5 }, () => client.getProfile()));

    assert.equal(seen.filter((request) => request.path === "/api/auth/refresh").length, 1);
    assert.deepEqual(
      seen.filter((request) => request.path === "/api/auth/profile").map((request) => request.headers.authorization),
      Array(5).fill("Bearer a2"),
    );
  });

  test("a 401 refreshes once and retries with the new token", async () => {
    const { url, seen } = await serve(api({ valid: (token) => token === "Bearer a2" }));
    const sessions: (Session | undefined)[] = [];
    const client = new AzoraClient({ baseUrl: url, onSessionChange: (session) => sessions.push(session) });
    await client.signIn("ada@example.com", "a-lantern-by-the-river");

    assert.deepEqual(await client.getProfile(), profile);

    assert.deepEqual(seen.map((request) => `${request.path} ${request.headers.authorization ?? ""}`), [
      "/api/auth/login ",
      "/api/auth/profile Bearer a1",
      "/api/auth/refresh ",
      "/api/auth/profile Bearer a2",
    ]);
    assert.deepEqual(sessions.map((session) => session?.accessToken), ["a1", "a2"]);
  });

  test("concurrent 401s share one refresh", async () => {
    const { url, seen } = await serve(api({ valid: (token) => token === "Bearer a2" }));
    const client = new AzoraClient({ baseUrl: url });
    await client.signIn("ada@example.com", "a-lantern-by-the-river");

    const profiles = await Promise.all(Array.from({ length: 5 }, () => client.getProfile()));

    assert.equal(profiles.length, 5);
    assert.equal(seen.filter((request) => request.path === "/api/auth/refresh").length, 1);
  });

  test("a second 401 after the refresh is thrown, without another refresh", async () => {
    const { url, seen } = await serve(api({ valid: () => false }));
    const client = new AzoraClient({ baseUrl: url });
    await client.signIn("ada@example.com", "a-lantern-by-the-river");

    const error = await rejection(client.getProfile());

    assert.equal(error.code, "UNAUTHORIZED");
    assert.equal(seen.filter((request) => request.path === "/api/auth/refresh").length, 1);
    assert.equal(seen.filter((request) => request.path === "/api/auth/profile").length, 2);
  });

  test("a refused refresh token ends the session and is what the caller sees", async () => {
    const { url } = await serve(api({ valid: () => false }));
    const sessions: (Session | undefined)[] = [];
    const client = new AzoraClient({
      baseUrl: url,
      session: { accessToken: "a0", refreshToken: "stolen-and-used", expiresAt: new Date(Date.now() + 600_000) },
      onSessionChange: (session) => sessions.push(session),
    });

    const error = await rejection(client.getProfile());

    assert.equal(error.code, "INVALID_REFRESH_TOKEN");
    assert.equal(client.session, undefined);
    assert.deepEqual(sessions, [undefined]);
  });

  test("refresh() exchanges the token now; concurrent calls share it", async () => {
    const { url, seen } = await serve(api());
    const client = new AzoraClient({ baseUrl: url });
    await client.signIn("ada@example.com", "a-lantern-by-the-river");

    await Promise.all([client.refresh(), client.refresh()]);
    await client.getProfile();

    assert.equal(seen.filter((request) => request.path === "/api/auth/refresh").length, 1);
    assert.equal(seen.at(-1)!.headers.authorization, "Bearer a2");
  });

  test("refresh() without a session says so", async () => {
    await assert.rejects(new AzoraClient({ baseUrl: "http://127.0.0.1:9" }).refresh(), /Not signed in/);
  });

  test("a saved session is resumed, also after a trip through JSON", async () => {
    const { url, seen } = await serve(api());
    const saved: Session = JSON.parse(JSON.stringify({ accessToken: "a1", refreshToken: "r1", expiresAt: new Date(Date.now() + 600_000) }));
    const client = new AzoraClient({ baseUrl: url, session: saved });

    await client.getProfile();

    assert.equal(seen[0]!.headers.authorization, "Bearer a1");
    assert.ok(client.session!.expiresAt instanceof Date);
  });

  test("signOut ends the session at the API and forgets it", async () => {
    const { url, seen } = await serve(api());
    const client = new AzoraClient({ baseUrl: url });
    await client.signIn("ada@example.com", "a-lantern-by-the-river");

    await client.signOut();
    const error = await rejection(client.getProfile());

    assert.equal(seen[1]!.path, "/api/auth/logout");
    assert.equal(seen[1]!.method, "POST");
    assert.equal(seen[1]!.headers.authorization, "Bearer a1");
    assert.equal(client.session, undefined);
    assert.equal(seen[2]!.headers.authorization, undefined);
    assert.equal(error.status, 401);
  });

  test("signOut of a session the API already closed still signs out", async () => {
    const { url } = await serve(api({ valid: () => false }));
    const client = new AzoraClient({ baseUrl: url, session: { accessToken: "a0", refreshToken: "gone", expiresAt: new Date(Date.now() + 600_000) } });

    await client.signOut();

    assert.equal(client.session, undefined);
  });

  test("signOut keeps other failures visible", async () => {
    const { url } = await serve((_, response) => problem(response, 500, "INTERNAL_ERROR"));
    const client = new AzoraClient({ baseUrl: url, session: { accessToken: "a1", refreshToken: "r1", expiresAt: new Date(Date.now() + 600_000) } });

    const error = await rejection(client.signOut());

    assert.equal(error.code, "INTERNAL_ERROR");
    assert.equal(client.session, undefined);
  });

  test("an API key is sent as a bearer token and a 401 is thrown without a refresh", async () => {
    const { url, seen } = await serve((_, response) => problem(response, 401, "UNAUTHORIZED", { detail: "The API key was revoked." }));
    const client = new AzoraClient({ baseUrl: url, apiKey: "azk_test" });

    const error = await rejection(client.listWebhooks());

    assert.equal(error.detail, "The API key was revoked.");
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.headers.authorization, "Bearer azk_test");
  });

  test("without credentials no Authorization header is sent", async () => {
    const { url, seen } = await serve((_, response) => json(response, 200, page));

    await new AzoraClient({ baseUrl: url }).listCourses();

    assert.equal(seen[0]!.headers.authorization, undefined);
  });

  test("a baseUrl is required", () => {
    assert.throws(() => new AzoraClient({ baseUrl: "" }), TypeError);
  });
});

describe("paginate", () => {
  function pages(total: number): Handler {
    return (request, response) => {
      const pageNumber = Number(request.query.get("page"));
      const limit = Number(request.query.get("limit"));
      const items = Array.from({ length: total }, (_, index) => ({ id: `item-${index + 1}` }));
      json(response, 200, {
        data: items.slice((pageNumber - 1) * limit, pageNumber * limit),
        pagination: { page: pageNumber, limit, total, pages: Math.ceil(total / limit) },
      });
    };
  }

  test("yields every item of every page in order, keeping the filters", async () => {
    const { url, seen } = await serve(pages(7));
    const client = new AzoraClient({ baseUrl: url });

    const ids: string[] = [];
    for await (const course of client.paginate("/api/education/courses", { query: { category: "music", q: "piano" } }, { pageSize: 3 })) {
      ids.push(course.id);
    }

    assert.deepEqual(ids, ["item-1", "item-2", "item-3", "item-4", "item-5", "item-6", "item-7"]);
    assert.deepEqual(seen.map((request) => request.query.toString()), [
      "category=music&q=piano&page=1&limit=3",
      "category=music&q=piano&page=2&limit=3",
      "category=music&q=piano&page=3&limit=3",
    ]);
  });

  test("asks for pages of 100 unless told, and stops at an empty list", async () => {
    const { url, seen } = await serve(pages(0));

    const items = [];
    for await (const item of new AzoraClient({ baseUrl: url }).paginate("/api/education/enrollments")) {
      items.push(item);
    }

    assert.deepEqual(items, []);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.query.get("limit"), "100");
  });

  test("fills in path parameters", async () => {
    const { url, seen } = await serve(pages(2));

    let count = 0;
    for await (const _ of new AzoraClient({ baseUrl: url }).paginate("/api/webhooks/{id}/deliveries", { path: { id: "hook-1" } })) {
      count++;
    }

    assert.equal(count, 2);
    assert.equal(seen[0]!.path, "/api/webhooks/hook-1/deliveries");
  });

  test("stops early when the caller breaks out", async () => {
    const { url, seen } = await serve(pages(10));

    for await (const item of new AzoraClient({ baseUrl: url }).paginate("/api/education/courses", {}, { pageSize: 2 })) {
      if (item.id === "item-3") {
        break;
      }
    }

    assert.equal(seen.length, 2);
  });

  test("a failing page is thrown as an AzoraApiError", async () => {
    const { url } = await serve((_, response) => problem(response, 400, "VALIDATION_ERROR", { errors: { limit: ["Use 1 to 100."] } }));

    const error = await rejection(
      (async () => {
        for await (const _ of new AzoraClient({ baseUrl: url }).paginate("/api/education/courses", {}, { pageSize: 500 })) {
          // never reached
        }
      })(),
    );

    assert.deepEqual(error.errors, { limit: ["Use 1 to 100."] });
  });
});
