// Verification of Azora's outgoing webhooks (Node.js: it uses node:crypto, so it lives in "@azora/sdk/webhooks" and
// the main entry stays usable in browsers). The scheme: `Azora-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>]`, each
// hex an HMAC-SHA256 of `<t>.<raw body>` keyed with the subscription's secret; during a secret rotation the header
// carries one v1 per secret (new and old).
import { createHmac, timingSafeEqual } from "node:crypto";

/** The envelope of every delivery. `data` depends on `type`; see the API reference's event table. */
export interface WebhookEvent<Data = Record<string, unknown>> {
  id: string;
  type: string;
  createdAt: string;
  data: Data;
}

export type WebhookVerificationFailure =
  /** The header is missing or not `t=<digits>,v1=<64 hex>[,v1=…]`. */
  | "MALFORMED_HEADER"
  /** No v1 signature matches the body under any of the secrets: a wrong secret, or a changed body. */
  | "SIGNATURE_MISMATCH"
  /** The signature is right, but its timestamp is further from now than the tolerance: a replay, or a skewed clock. */
  | "TIMESTAMP_OUT_OF_TOLERANCE"
  /** The signature is right, but the body is not a JSON event envelope. */
  | "MALFORMED_PAYLOAD";

/** Why a delivery was refused; answer it with a 400 and do not act on it. */
export class WebhookVerificationError extends Error {
  override readonly name = "WebhookVerificationError";

  constructor(
    readonly reason: WebhookVerificationFailure,
    message: string,
  ) {
    super(message);
  }
}

export interface VerifyWebhookOptions {
  /** The raw body exactly as received, before any JSON parsing (a string, or the bytes). */
  payload: string | Uint8Array;
  /** The `Azora-Signature` header (Node gives `string | string[] | undefined`). */
  header: string | readonly string[] | null | undefined;
  /** The subscription's secret, or several (during a rotation, the new and the old): any one may match. */
  secrets: string | readonly string[];
  /** How far the signature's timestamp may be from now, in seconds (default 300). */
  toleranceSeconds?: number;
  /** The time to judge the timestamp by (default: now), as a Date or milliseconds since the epoch. */
  now?: Date | number;
}

/**
 * Verifies an `Azora-Signature` and returns the parsed event, or throws {@link WebhookVerificationError}. Accepts
 * several secrets and several v1 values; compares in constant time.
 *
 * ```ts
 * const event = verifyWebhook({ payload: rawBody, header: req.headers["azora-signature"], secrets: process.env.AZORA_WEBHOOK_SECRET! });
 * ```
 */
export function verifyWebhook<Data = Record<string, unknown>>(options: VerifyWebhookOptions): WebhookEvent<Data> {
  const secrets = typeof options.secrets === "string" ? [options.secrets] : [...options.secrets];
  if (secrets.length === 0 || secrets.some((secret) => typeof secret !== "string" || secret === "")) {
    throw new TypeError("verifyWebhook needs at least one non-empty secret.");
  }

  const { timestamp, signatures } = parseHeader(options.header);
  const body = typeof options.payload === "string" ? Buffer.from(options.payload, "utf8") : Buffer.from(options.payload);
  const matched = secrets.some((secret) => {
    const expected = createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest();
    // Every pair is compared, in constant time, whatever an earlier one gave.
    return signatures.map((signature) => timingSafeEqual(signature, expected)).includes(true);
  });
  if (!matched) {
    throw new WebhookVerificationError(
      "SIGNATURE_MISMATCH",
      "No Azora-Signature v1 value matches the body under the given secret(s): the secret is wrong or the body was changed.",
    );
  }

  const tolerance = options.toleranceSeconds ?? 300;
  const now = options.now === undefined ? Date.now() : typeof options.now === "number" ? options.now : options.now.getTime();
  const age = Math.abs(now / 1000 - timestamp);
  if (age > tolerance) {
    throw new WebhookVerificationError(
      "TIMESTAMP_OUT_OF_TOLERANCE",
      `The Azora-Signature timestamp is ${Math.round(age)} s from now, over the ${tolerance} s tolerance: refusing a possible replay.`,
    );
  }

  let event: unknown;
  try {
    event = JSON.parse(body.toString("utf8"));
  } catch {
    throw new WebhookVerificationError("MALFORMED_PAYLOAD", "The signed body is not JSON.");
  }

  if (!isEnvelope(event)) {
    throw new WebhookVerificationError("MALFORMED_PAYLOAD", "The signed body is not an event envelope ({ id, type, createdAt, data }).");
  }

  return event as WebhookEvent<Data>;
}

/**
 * Makes an `Azora-Signature` header for a payload, as Azora's relay does: for testing your own receiver.
 * Several secrets give several v1 values, as during a rotation.
 */
export function signWebhook(options: { payload: string | Uint8Array; secrets: string | readonly string[]; timestamp?: number }): string {
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const secrets = typeof options.secrets === "string" ? [options.secrets] : options.secrets;
  const body = typeof options.payload === "string" ? Buffer.from(options.payload, "utf8") : Buffer.from(options.payload);
  const signatures = secrets.map((secret) => `v1=${createHmac("sha256", secret).update(`${timestamp}.`).update(body).digest("hex")}`);
  return [`t=${timestamp}`, ...signatures].join(",");
}

function parseHeader(header: VerifyWebhookOptions["header"]): { timestamp: number; signatures: Buffer[] } {
  const value = typeof header === "string" ? header : Array.isArray(header) ? header.join(",") : "";
  if (value.trim() === "") {
    throw new WebhookVerificationError("MALFORMED_HEADER", "The Azora-Signature header is missing.");
  }

  const timestamps: string[] = [];
  const signatures: Buffer[] = [];
  for (const part of value.split(",")) {
    const separator = part.indexOf("=");
    const key = separator < 0 ? part.trim() : part.slice(0, separator).trim();
    const item = separator < 0 ? "" : part.slice(separator + 1).trim();
    if (key === "t") {
      timestamps.push(item);
    } else if (key === "v1") {
      if (!/^[0-9a-fA-F]{64}$/.test(item)) {
        throw new WebhookVerificationError("MALFORMED_HEADER", "An Azora-Signature v1 value is not 64 hexadecimal digits.");
      }

      signatures.push(Buffer.from(item, "hex"));
    }
    // Other keys (future schemes) are ignored, as the v1 scheme allows.
  }

  if (timestamps.length !== 1 || !/^\d{1,12}$/.test(timestamps[0]!)) {
    throw new WebhookVerificationError("MALFORMED_HEADER", "The Azora-Signature header needs exactly one t=<unix seconds>.");
  }

  if (signatures.length === 0) {
    throw new WebhookVerificationError("MALFORMED_HEADER", "The Azora-Signature header has no v1 signature.");
  }

  return { timestamp: Number(timestamps[0]), signatures };
}

function isEnvelope(value: unknown): boolean {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return false;
  }

  const event = value as Record<string, unknown>;
  return typeof event.id === "string" && typeof event.type === "string" && typeof event.createdAt === "string" && "data" in event;
}
