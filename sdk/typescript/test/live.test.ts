// Against a running Azora API (AZORA_API_URL, e.g. http://localhost:5080): the SDK end to end, with a fresh account
// per run, and a real signed webhook delivery to a local receiver. Skipped, saying why, when AZORA_API_URL is not set.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { AzoraApiError, AzoraClient } from "@azora/sdk";
import { verifyWebhook, WebhookVerificationError, type WebhookEvent } from "@azora/sdk/webhooks";
import { createWebhookReceiver } from "../examples/webhook-receiver.js";
import { startServer, type Seen, type TestServer } from "./support/server.js";

const baseUrl = process.env.AZORA_API_URL;
const skip = baseUrl
  ? false
  : "AZORA_API_URL is not set: point it at a running Azora API (e.g. AZORA_API_URL=http://localhost:5080 npm test) to run the live tests";
const admin = {
  email: process.env.AZORA_ADMIN_EMAIL ?? "admin@azora.local",
  password: process.env.AZORA_ADMIN_PASSWORD ?? "azora-development-only",
};
// Paying needs a verified email, which a fresh account only gets through the link in its mail (out of these tests'
// reach): the buyer is Development's sample learner (created verified), or the account these name.
const buyer = {
  email: process.env.AZORA_BUYER_EMAIL ?? "learner@azora.local",
  password: process.env.AZORA_BUYER_PASSWORD ?? "azora-development-only",
};
const root = fileURLToPath(new URL("../..", import.meta.url));

function freshAccount(role: string) {
  const id = randomUUID();
  return { email: `sdk-ts-${role}-${id}@example.com`, password: `sdk-typescript-${id}`, name: `SDK ${role}` };
}

async function rejection(promise: Promise<unknown>): Promise<AzoraApiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AzoraApiError, `expected an AzoraApiError, got ${String(error)}`);
    return error;
  }

  assert.fail("expected the call to throw");
}

/** Polls until probe gives a value; the bound only keeps a broken stack from hanging the run. */
async function eventually<T>(what: string, probe: () => T | undefined, bound = 60_000): Promise<T> {
  for (const start = Date.now(); Date.now() - start < bound; await new Promise((resolve) => setTimeout(resolve, 100))) {
    const value = probe();
    if (value !== undefined) {
      return value;
    }
  }

  throw new Error(`gave up waiting for ${what}`);
}

async function runExample(name: string, env: Record<string, string>) {
  const { stdout } = await promisify(execFile)(process.execPath, [`build/examples/${name}.js`], { cwd: root, env: { ...process.env, ...env } });
  return stdout;
}

describe("live API", { skip }, () => {
  const learnerAccount = freshAccount("learner");
  let learner: AzoraClient;
  let registered: Awaited<ReturnType<AzoraClient["register"]>>;

  // Every test below uses this account: when registering fails, the hook's error is the one reported.
  before(async () => {
    learner = new AzoraClient({ baseUrl: baseUrl! });
    registered = await learner.register(learnerAccount);
  });

  test("registers a fresh user, who can then sign in", async () => {
    const signedIn = await new AzoraClient({ baseUrl: baseUrl! }).signIn(learnerAccount.email, learnerAccount.password);

    assert.equal(registered.email, learnerAccount.email);
    assert.deepEqual(registered.roles, ["learner"]);
    assert.equal(signedIn.id, registered.id);
    assert.ok(learner.session && learner.session.expiresAt.getTime() > Date.now());
  });

  test("reads the profile", async () => {
    const profile = await learner.getProfile();

    assert.equal(profile.email, learnerAccount.email);
    assert.equal(profile.name, learnerAccount.name);
  });

  test("lists courses and pages through all of them", async () => {
    const first = await learner.listCourses({ sort: "oldest" });
    const pageSize = 7;
    assert.ok(first.pagination.total > pageSize, "the catalog should need more than one page");

    const ids: string[] = [];
    for await (const course of learner.paginate("/api/education/courses", { query: { sort: "oldest" } }, { pageSize })) {
      ids.push(course.id);
    }

    assert.equal(ids.length, first.pagination.total);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(ids.slice(0, first.data.length), first.data.map((course) => course.id));
  });

  test("gets one course by id and by slug", async () => {
    const { data } = await learner.listCourses();
    const summary = data[0]!;

    const byId = await learner.getCourse(summary.id);
    const bySlug = await learner.getCourse(summary.slug);

    assert.equal(byId.course.title, summary.title);
    assert.equal(bySlug.course.id, summary.id);
    assert.equal(byId.lessons.length, summary.lessonCount);
  });

  test("enrolls in a free course once, sees it among the enrollments, and is asked to pay for a paid one", async () => {
    let free: { id: string } | undefined;
    let paid: { id: string } | undefined;
    for await (const course of learner.paginate("/api/education/courses")) {
      free ??= course.isFree ? course : undefined;
      paid ??= course.isFree ? undefined : course;
    }
    assert.ok(free && paid, "the catalog should have a free and a paid course");

    const enrollment = await learner.enroll(free.id);
    const again = await learner.enroll(free.id);
    const mine = await learner.listEnrollments();
    const refused = await rejection(learner.enroll(paid.id));
    const { lessons } = await learner.getCourse(free.id);
    const progressed = await learner.completeLesson(free.id, lessons[0]!.id);

    assert.equal(enrollment.course.id, free.id);
    assert.equal(enrollment.status, "active");
    assert.equal(again.id, enrollment.id);
    assert.ok(mine.data.some((item) => item.id === enrollment.id));
    assert.equal(refused.status, 402);
    assert.equal(refused.code, "PAYMENT_REQUIRED");
    assert.equal(progressed.id, enrollment.id);
    assert.equal(progressed.progress.completedLessons, 1);
  });

  test("changes the profile", async () => {
    const changed = await learner.updateProfile({ bio: "Learning with the TypeScript SDK" });

    assert.equal(changed.bio, "Learning with the TypeScript SDK");
    assert.equal(changed.name, learnerAccount.name);
    assert.equal((await learner.getProfile()).bio, "Learning with the TypeScript SDK");
  });

  test("a validation error surfaces as an AzoraApiError with errors by field", async () => {
    const error = await rejection(new AzoraClient({ baseUrl: baseUrl! }).register({ ...freshAccount("invalid"), password: "short" }));

    assert.equal(error.status, 400);
    assert.equal(error.code, "VALIDATION_ERROR");
    assert.ok(error.errors.password && error.errors.password.length > 0, JSON.stringify(error.errors));
    assert.match(error.traceId ?? "", /^[0-9a-f]{32}$/);
    assert.equal(error.isProblem, true);
  });

  test("an unknown course is a NOT_FOUND AzoraApiError", async () => {
    const error = await rejection(learner.getCourse(randomUUID()));

    assert.equal(error.status, 404);
    assert.equal(error.code, "NOT_FOUND");
  });

  test("a refreshed token works", async () => {
    const before = learner.session!;

    await learner.refresh();
    const profile = await learner.getProfile();

    assert.notEqual(learner.session!.accessToken, before.accessToken);
    assert.notEqual(learner.session!.refreshToken, before.refreshToken);
    assert.equal(profile.email, learnerAccount.email);
  });

  test("an access token the API refuses is refreshed once and the call goes through", async () => {
    // A session of its own: exchanging the learner's refresh token here would close the learner's session.
    const other = new AzoraClient({ baseUrl: baseUrl! });
    await other.signIn(learnerAccount.email, learnerAccount.password);
    const client = new AzoraClient({ baseUrl: baseUrl!, session: { ...other.session!, accessToken: "not-a-valid-token" } });

    const profile = await client.getProfile();

    assert.equal(profile.email, learnerAccount.email);
    assert.notEqual(client.session!.accessToken, "not-a-valid-token");
  });

  test("signing out ends the session for every token of it", async () => {
    const client = new AzoraClient({ baseUrl: baseUrl! });
    await client.signIn(learnerAccount.email, learnerAccount.password);
    const session = client.session!;

    await client.signOut();
    const error = await rejection(new AzoraClient({ baseUrl: baseUrl!, session }).getProfile());

    assert.equal(client.session, undefined);
    assert.equal(error.status, 401);
  });

  test("the sign-in-and-browse example runs", async () => {
    const total = (await learner.listCourses()).pagination.total;

    const output = await runExample("sign-in-and-browse", { AZORA_API_URL: baseUrl!, AZORA_EMAIL: learnerAccount.email, AZORA_PASSWORD: learnerAccount.password });

    assert.match(output, new RegExp(`signed in as ${learnerAccount.name} \\(learner\\)`));
    assert.match(output, /categories: \S+/);
    assert.match(output, new RegExp(`^${total} courses in the catalog$`, "m"));
    assert.match(output, /enrolled in .+: \d+\/\d+ lessons done/);
  });

  test("a fresh account cannot pay until its email is verified", async () => {
    const course = (await learner.listCourses({ free: false, limit: 1 })).data[0]!;

    const error = await rejection(learner.createPaymentIntent({ courseId: course.id }));

    assert.equal(error.status, 403);
    assert.equal(error.code, "EMAIL_NOT_VERIFIED");
    assert.equal((await learner.getProfile()).emailVerified, false);
  });

  test("the buy-a-course example runs: the same idempotency key finds the same payment", async () => {
    const output = await runExample("buy-a-course", { AZORA_API_URL: baseUrl!, AZORA_EMAIL: buyer.email, AZORA_PASSWORD: buyer.password });

    assert.match(output, /: payment pending, \d+ [A-Z]{3} \(minor units\)/);
    assert.match(output, /^sent again: the same payment$/m);
    assert.match(output, /^payment status: pending$/m);
    const client = new AzoraClient({ baseUrl: baseUrl! });
    await client.signIn(buyer.email, buyer.password);
    const payments = await client.listPayments();
    assert.ok(payments.data.some((payment) => payment.status === "pending"), JSON.stringify(payments.data));
  });

  test("the handle-errors example runs", async () => {
    const output = await runExample("handle-errors", { AZORA_API_URL: baseUrl! });

    assert.match(output, /^password: .+/m);
    assert.match(output, /^trace id: [0-9a-f]{32}$/m);
    assert.match(output, /no such course \(404 NOT_FOUND\)/);
  });

  describe("as an instructor", () => {
    const partnerAccount = freshAccount("instructor");
    let partner: AzoraClient;
    let receiver: TestServer;
    let subscriptionId: string | undefined;

    before(async () => {
      // A fresh account made an instructor by the admin: webhooks and API keys need the role.
      const user = await new AzoraClient({ baseUrl: baseUrl! }).register(partnerAccount);
      const operator = new AzoraClient({ baseUrl: baseUrl! });
      await operator.signIn(admin.email, admin.password);
      await operator.api.PUT("/api/admin/users/{id}/roles", { params: { path: { id: user.id } }, body: { roles: ["instructor"] } });
      await operator.signOut();
      // The role change closed the account's sessions: sign in again for a token with the new role.
      partner = new AzoraClient({ baseUrl: baseUrl! });
      await partner.signIn(partnerAccount.email, partnerAccount.password);
      receiver = await startServer((_, response) => {
        response.writeHead(204).end();
      });
    });

    after(async () => {
      if (subscriptionId) {
        await partner.deleteWebhook(subscriptionId).catch(() => undefined);
      }
      await receiver?.close();
    });

    async function pingAndReceive(id: string): Promise<Seen> {
      const delivery = await partner.pingWebhook(id);
      assert.equal(delivery.eventType, "ping");
      return eventually("the ping delivery", () => receiver.seen.find((request) => request.headers["azora-event-id"] === delivery.eventId));
    }

    test("a webhook round trip: the real signed ping verifies with the secret and not with another", async () => {
      const created = await partner.createWebhook({ url: `${receiver.url}/hooks/azora`, events: ["course.enrolled"], description: "SDK test" });
      subscriptionId = created.id;
      assert.match(created.secret ?? "", /^whsec_/);

      const seen = await pingAndReceive(created.id);
      const event = verifyWebhook<{ subscriptionId: string }>({ payload: seen.body, header: seen.headers["azora-signature"], secrets: created.secret! });

      assert.equal(seen.path, "/hooks/azora");
      assert.equal(event.type, "ping");
      assert.equal(event.data.subscriptionId, created.id);
      assert.equal(event.id, seen.headers["azora-event-id"]);
      assert.throws(
        () => verifyWebhook({ payload: seen.body, header: seen.headers["azora-signature"], secrets: "whsec_not_the_secret" }),
        (error: unknown) => error instanceof WebhookVerificationError && error.reason === "SIGNATURE_MISMATCH",
      );
      assert.throws(
        () => verifyWebhook({ payload: seen.body.replace(created.id, randomUUID()), header: seen.headers["azora-signature"], secrets: created.secret! }),
        (error: unknown) => error instanceof WebhookVerificationError && error.reason === "SIGNATURE_MISMATCH",
      );

      // The README's receiver accepts the real delivery, and refuses it under another secret.
      const received: WebhookEvent[] = [];
      const replay = async (secrets: string) => {
        const example = createWebhookReceiver({ secrets, onEvent: (item) => void received.push(item) });
        await new Promise<void>((resolve) => example.listen(0, "127.0.0.1", resolve));
        try {
          const { port } = example.address() as AddressInfo;
          const headers = { "Content-Type": "application/json", "Azora-Signature": String(seen.headers["azora-signature"]) };
          return (await fetch(`http://127.0.0.1:${port}/`, { method: "POST", headers, body: seen.body })).status;
        } finally {
          example.closeAllConnections();
          example.close();
        }
      };
      assert.equal(await replay(created.secret!), 204);
      assert.equal(await replay("whsec_not_the_secret"), 400);
      assert.deepEqual(received.map((item) => item.id), [event.id]);
    });

    test("after a secret rotation deliveries verify with the new secret and with the old one", async () => {
      assert.ok(subscriptionId, "the round-trip test creates the subscription");
      const old = (await partner.createWebhook({ url: `${receiver.url}/rotation`, events: ["course.completed"] })).secret!;
      const hooks = await partner.listWebhooks();
      const rotating = hooks.find((hook) => hook.url === `${receiver.url}/rotation`)!;

      try {
        const rotated = await partner.rotateWebhookSecret(rotating.id);
        const seen = await pingAndReceive(rotating.id);
        const header = String(seen.headers["azora-signature"]);

        assert.equal(header.match(/v1=/g)?.length, 2, header);
        assert.equal(verifyWebhook({ payload: seen.body, header, secrets: rotated.secret }).type, "ping");
        assert.equal(verifyWebhook({ payload: seen.body, header, secrets: old }).type, "ping");
        assert.ok(new Date(rotated.previousSecretValidUntil).getTime() > Date.now());
      } finally {
        await partner.deleteWebhook(rotating.id);
      }
    });

    test("webhook subscriptions are read, changed, logged and deleted", async () => {
      assert.ok(subscriptionId, "the round-trip test creates the subscription");

      const changed = await partner.updateWebhook(subscriptionId, { description: "SDK test, changed" });
      const read = await partner.getWebhook(subscriptionId);
      const deliveries = [];
      for await (const delivery of partner.paginate("/api/webhooks/{id}/deliveries", { path: { id: subscriptionId } })) {
        deliveries.push(delivery);
      }
      await partner.deleteWebhook(subscriptionId);
      const gone = await rejection(partner.getWebhook(subscriptionId));
      subscriptionId = undefined;

      assert.equal(changed.description, "SDK test, changed");
      assert.equal(read.description, "SDK test, changed");
      assert.equal(read.secret, undefined);
      assert.ok(deliveries.some((delivery) => delivery.eventType === "ping"));
      assert.equal(gone.code, "NOT_FOUND");
    });

    test("the partner-webhooks example runs with an API key, and its ping arrives", async () => {
      const key = await partner.createApiKey({ name: "SDK example", scopes: ["webhooks:manage"] });
      const url = `${receiver.url}/partner`;
      try {
        const output = await runExample("partner-webhooks", { AZORA_API_URL: baseUrl!, AZORA_API_KEY: key.key, AZORA_WEBHOOK_URL: url });
        const eventId = /^ping queued: event (\S+)$/m.exec(output)?.[1];

        assert.match(output, new RegExp(`^subscribed ${url} to course.enrolled, course.completed$`, "m"));
        assert.match(output, /^ping: (pending|delivered)$/m);
        assert.ok(eventId, output);
        await eventually("the example's ping", () => receiver.seen.find((request) => request.headers["azora-event-id"] === eventId));
      } finally {
        for (const hook of (await partner.listWebhooks()).filter((item) => item.url === url)) {
          await partner.deleteWebhook(hook.id);
        }
        await partner.revokeApiKey(key.id);
      }
    });

    test("an API key acts for its owner within its scope, and stops at once when revoked", async () => {
      const created = await partner.createApiKey({ name: "SDK test", scopes: ["webhooks:manage"] });
      const keyed = new AzoraClient({ baseUrl: baseUrl!, apiKey: created.key });

      const hooks = await keyed.listWebhooks();
      const refused = await rejection(keyed.getProfile());
      await partner.revokeApiKey(created.id);
      const revoked = await rejection(keyed.listWebhooks());

      assert.ok(Array.isArray(hooks));
      assert.match(created.key, /^azk_/);
      assert.equal(refused.code, "API_KEY_NOT_ACCEPTED");
      assert.equal(revoked.status, 401);
      assert.equal(revoked.code, "UNAUTHORIZED");
    });
  });
});
