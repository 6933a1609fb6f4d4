import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { describe, test } from "node:test";
import { signWebhook, verifyWebhook, WebhookVerificationError, type WebhookVerificationFailure } from "@azora/sdk/webhooks";

const secret = "whsec_current_secret";
const oldSecret = "whsec_previous_secret";
const now = new Date("2026-11-30T12:00:00Z");
const t = Math.floor(now.getTime() / 1000);
const body = JSON.stringify({ id: "01a2-event", type: "ping", createdAt: "2026-11-30T12:00:00+00:00", data: { subscriptionId: "01a2-sub" } });

// Computed here independently of the SDK, as the relay does: HMAC-SHA256 of "<t>.<raw body>", lowercase hex.
function v1(key: string, timestamp: number, payload: string): string {
  return createHmac("sha256", key).update(`${timestamp}.${payload}`).digest("hex");
}

function refusedWith(reason: WebhookVerificationFailure) {
  return (error: unknown) => {
    assert.ok(error instanceof WebhookVerificationError, `expected a WebhookVerificationError, got ${String(error)}`);
    assert.equal(error.reason, reason, error.message);
    return true;
  };
}

describe("verifyWebhook", () => {
  test("returns the parsed event for a valid signature", () => {
    const event = verifyWebhook({ payload: body, header: `t=${t},v1=${v1(secret, t, body)}`, secrets: secret, now });

    assert.deepEqual(event, JSON.parse(body));
    assert.equal(event.type, "ping");
  });

  test("verifies the raw bytes as well as a string, and a header Node gives as an array", () => {
    const header = `t=${t},v1=${v1(secret, t, body)}`;

    assert.equal(verifyWebhook({ payload: new TextEncoder().encode(body), header: [header], secrets: [secret], now }).id, "01a2-event");
  });

  test("verifies non-ASCII bodies by their UTF-8 bytes", () => {
    const unicode = JSON.stringify({ id: "e", type: "ping", createdAt: "x", data: { name: "Zoë — 東京" } });

    const event = verifyWebhook({ payload: Buffer.from(unicode, "utf8"), header: `t=${t},v1=${v1(secret, t, unicode)}`, secrets: secret, now });

    assert.deepEqual(event.data, { name: "Zoë — 東京" });
  });

  test("refuses a tampered body", () => {
    const header = `t=${t},v1=${v1(secret, t, body)}`;
    const tampered = body.replace("01a2-sub", "01a2-evil");

    assert.throws(() => verifyWebhook({ payload: tampered, header, secrets: secret, now }), refusedWith("SIGNATURE_MISMATCH"));
  });

  test("refuses a wrong secret", () => {
    const header = `t=${t},v1=${v1(secret, t, body)}`;

    assert.throws(() => verifyWebhook({ payload: body, header, secrets: "whsec_wrong", now }), refusedWith("SIGNATURE_MISMATCH"));
  });

  test("refuses a signature made for another timestamp", () => {
    const header = `t=${t + 1},v1=${v1(secret, t, body)}`;

    assert.throws(() => verifyWebhook({ payload: body, header, secrets: secret, now }), refusedWith("SIGNATURE_MISMATCH"));
  });

  test("refuses a stale or future timestamp beyond the tolerance, and accepts one within it", () => {
    const at = (timestamp: number) => `t=${timestamp},v1=${v1(secret, timestamp, body)}`;

    assert.throws(() => verifyWebhook({ payload: body, header: at(t - 301), secrets: secret, now }), refusedWith("TIMESTAMP_OUT_OF_TOLERANCE"));
    assert.throws(() => verifyWebhook({ payload: body, header: at(t + 301), secrets: secret, now }), refusedWith("TIMESTAMP_OUT_OF_TOLERANCE"));
    assert.equal(verifyWebhook({ payload: body, header: at(t - 300), secrets: secret, now }).id, "01a2-event");
    assert.equal(verifyWebhook({ payload: body, header: at(t + 299), secrets: secret, now: now.getTime() }).id, "01a2-event");
    assert.throws(
      () => verifyWebhook({ payload: body, header: at(t - 61), secrets: secret, now, toleranceSeconds: 60 }),
      refusedWith("TIMESTAMP_OUT_OF_TOLERANCE"),
    );
  });

  test("judges the timestamp by the real clock when no now is given", () => {
    const stale = Math.floor(Date.now() / 1000) - 3600;
    const fresh = Math.floor(Date.now() / 1000);

    assert.throws(() => verifyWebhook({ payload: body, header: `t=${stale},v1=${v1(secret, stale, body)}`, secrets: secret }), refusedWith("TIMESTAMP_OUT_OF_TOLERANCE"));
    assert.equal(verifyWebhook({ payload: body, header: `t=${fresh},v1=${v1(secret, fresh, body)}`, secrets: secret }).id, "01a2-event");
  });

  test("during a rotation accepts either secret of a header signed with both", () => {
    const header = `t=${t},v1=${v1(secret, t, body)},v1=${v1(oldSecret, t, body)}`;

    assert.equal(verifyWebhook({ payload: body, header, secrets: secret, now }).id, "01a2-event");
    assert.equal(verifyWebhook({ payload: body, header, secrets: oldSecret, now }).id, "01a2-event");
    assert.equal(verifyWebhook({ payload: body, header, secrets: ["whsec_unrelated", oldSecret], now }).id, "01a2-event");
    assert.throws(() => verifyWebhook({ payload: body, header, secrets: ["whsec_unrelated"], now }), refusedWith("SIGNATURE_MISMATCH"));
  });

  test("with two secrets accepts a header signed by either one (the receiver deploys the new secret first)", () => {
    const signedWithOld = `t=${t},v1=${v1(oldSecret, t, body)}`;
    const signedWithNew = `t=${t},v1=${v1(secret, t, body)}`;

    assert.equal(verifyWebhook({ payload: body, header: signedWithOld, secrets: [secret, oldSecret], now }).id, "01a2-event");
    assert.equal(verifyWebhook({ payload: body, header: signedWithNew, secrets: [secret, oldSecret], now }).id, "01a2-event");
  });

  test("ignores signature schemes it does not know and spaces around parts", () => {
    const header = ` t=${t} , v0=abc, v1=${v1(secret, t, body)} `;

    assert.equal(verifyWebhook({ payload: body, header, secrets: secret, now }).id, "01a2-event");
  });

  for (const [name, header] of [
    ["a missing header", undefined],
    ["an empty header", ""],
    ["no timestamp", `v1=${v1(secret, t, body)}`],
    ["two timestamps", `t=${t},t=${t},v1=${v1(secret, t, body)}`],
    ["a timestamp that is not a number", `t=soon,v1=${v1(secret, t, body)}`],
    ["a negative timestamp", `t=-${t},v1=${v1(secret, t, body)}`],
    ["no v1 signature", `t=${t}`],
    ["a v1 that is not hex", `t=${t},v1=${"z".repeat(64)}`],
    ["a truncated v1", `t=${t},v1=${v1(secret, t, body).slice(0, 63)}`],
    ["garbage", "not a signature"],
  ] as const) {
    test(`refuses a malformed header: ${name}`, () => {
      assert.throws(() => verifyWebhook({ payload: body, header, secrets: secret, now }), refusedWith("MALFORMED_HEADER"));
    });
  }

  test("refuses a correctly signed body that is not a JSON event envelope", () => {
    for (const payload of ["not json", "[1,2]", JSON.stringify({ id: "x" })]) {
      assert.throws(
        () => verifyWebhook({ payload, header: `t=${t},v1=${v1(secret, t, payload)}`, secrets: secret, now }),
        refusedWith("MALFORMED_PAYLOAD"),
      );
    }
  });

  test("needs at least one secret", () => {
    const header = `t=${t},v1=${v1(secret, t, body)}`;

    assert.throws(() => verifyWebhook({ payload: body, header, secrets: [], now }), TypeError);
    assert.throws(() => verifyWebhook({ payload: body, header, secrets: "", now }), TypeError);
  });

  test("signWebhook makes the header the relay makes, one v1 per secret", () => {
    assert.equal(signWebhook({ payload: body, secrets: secret, timestamp: t }), `t=${t},v1=${v1(secret, t, body)}`);
    assert.equal(
      signWebhook({ payload: body, secrets: [secret, oldSecret], timestamp: t }),
      `t=${t},v1=${v1(secret, t, body)},v1=${v1(oldSecret, t, body)}`,
    );
  });
});
