// The README's examples are the files in examples/, word for word, and the webhook receiver works offline (the live
// tests run the others against the API, and replay a real delivery to the receiver).
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { signWebhook, type WebhookEvent } from "@azora/sdk/webhooks";
import { createWebhookReceiver } from "../examples/webhook-receiver.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

test("every example is in the README exactly as in its file", async () => {
  const readme = await readFile(`${root}README.md`, "utf8");
  const shown = new Map([...readme.matchAll(/<!-- example: (examples\/[\w-]+\.ts) -->\n```ts\n([\s\S]*?)```\n/g)].map((match) => [match[1]!, match[2]!]));
  const files = (await readdir(`${root}examples`)).filter((name) => name.endsWith(".ts")).map((name) => `examples/${name}`);

  assert.deepEqual([...shown.keys()].sort(), files.sort());
  for (const file of files) {
    assert.equal(shown.get(file), await readFile(`${root}${file}`, "utf8"), `README.md shows ${file} differently from the file: copy the file into the README`);
  }
});

describe("the webhook receiver example", () => {
  const secret = "whsec_example";
  const received: WebhookEvent[] = [];
  const receiver = createWebhookReceiver({ secrets: secret, onEvent: (event) => void received.push(event) });
  let url = "";

  before(async () => {
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`;
  });

  after(() => {
    receiver.closeAllConnections();
    receiver.close();
  });

  async function deliver(body: string, signature: string | undefined) {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (signature !== undefined) {
      headers["Azora-Signature"] = signature;
    }
    const response = await fetch(url, { method: "POST", headers, body });
    return { status: response.status, text: await response.text() };
  }

  test("acts once on a signed event, however often it is delivered, and refuses the rest with 400", async () => {
    const body = JSON.stringify({ id: "evt-1", type: "course.enrolled", createdAt: "2026-11-30T12:00:00+00:00", data: { courseId: "c1" } });

    assert.deepEqual(await deliver(body, signWebhook({ payload: body, secrets: secret })), { status: 204, text: "" });
    assert.deepEqual(await deliver(body, signWebhook({ payload: body, secrets: secret })), { status: 204, text: "" });
    assert.deepEqual(await deliver(body, signWebhook({ payload: body, secrets: "whsec_other" })), { status: 400, text: "SIGNATURE_MISMATCH" });
    assert.deepEqual(await deliver(body.replace("c1", "c2"), signWebhook({ payload: body, secrets: secret })), { status: 400, text: "SIGNATURE_MISMATCH" });
    assert.deepEqual(await deliver(body, signWebhook({ payload: body, secrets: secret, timestamp: 1_000_000_000 })), { status: 400, text: "TIMESTAMP_OUT_OF_TOLERANCE" });
    assert.deepEqual(await deliver(body, undefined), { status: 400, text: "MALFORMED_HEADER" });
    assert.deepEqual(received.map((event) => event.id), ["evt-1"]);
  });
});
