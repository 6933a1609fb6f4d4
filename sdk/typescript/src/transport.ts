import { AzoraApiError, parseRetryAfter } from "./errors.js";

/** How the client treats `429 Too Many Requests`. */
export interface RateLimitRetryOptions {
  /** Retries after a 429 before the error is thrown (default 2; 0 turns retrying off). */
  maxRetries?: number;
  /** The longest single wait, in seconds; a `Retry-After` above it is thrown at once rather than waited for (default 30). */
  maxWaitSeconds?: number;
}

/** Who the request is from, asked again before every attempt (so a retry carries a token refreshed meanwhile). */
export interface Credentials {
  /** The `Authorization` header value to send, or undefined to send none. */
  authorization(): Promise<string | undefined>;
  /**
   * Called once per request when the API answers 401 to the authorization sent: resolves true when a retry may
   * succeed (the token was refreshed), false to throw the 401; may throw (a failed refresh) instead.
   */
  unauthorized(sent: string): Promise<boolean>;
}

export interface TransportOptions {
  fetch: (request: Request) => Promise<Response>;
  retry: Required<RateLimitRetryOptions>;
  credentials?: Credentials | undefined;
  now: () => number;
  sleep: (milliseconds: number, signal: AbortSignal) => Promise<void>;
  onRateLimited?: ((event: RateLimitedEvent) => void) | undefined;
}

/** What the client tells `onRateLimited` before it waits out a 429. */
export interface RateLimitedEvent {
  /** 1 for the first retry of this request, 2 for the second, … */
  retry: number;
  waitSeconds: number;
  request: Request;
}

/** When the API gives no `Retry-After` with a 429, the client waits this long before its retry. */
const DefaultRetryAfterSeconds = 1;

/**
 * The fetch every generated request goes through: adds the caller's credentials, refreshes and retries once on a 401,
 * waits out a 429 for as long as `Retry-After` says (bounded), and turns every non-success answer into an
 * {@link AzoraApiError}. Each attempt sends a clone of the original request, so retries carry the same body and
 * headers (among them the `Idempotency-Key`).
 */
export function createTransport(options: TransportOptions): (input: Request) => Promise<Response> {
  return async (request: Request) => {
    let retriedUnauthorized = false;
    let rateLimitRetries = 0;
    for (;;) {
      const attempt = request.clone();
      const authorization = await options.credentials?.authorization();
      if (authorization !== undefined) {
        attempt.headers.set("Authorization", authorization);
      }

      const response = await options.fetch(attempt);
      if (response.ok) {
        return response;
      }

      if (response.status === 401 && authorization !== undefined && !retriedUnauthorized && options.credentials) {
        retriedUnauthorized = true;
        if (await options.credentials.unauthorized(authorization)) {
          await discard(response);
          continue;
        }
      }

      if (response.status === 429 && rateLimitRetries < options.retry.maxRetries) {
        const wait = parseRetryAfter(response.headers.get("Retry-After"), options.now()) ?? DefaultRetryAfterSeconds;
        if (wait <= options.retry.maxWaitSeconds) {
          rateLimitRetries++;
          await discard(response);
          options.onRateLimited?.({ retry: rateLimitRetries, waitSeconds: wait, request });
          await options.sleep(wait * 1000, request.signal);
          continue;
        }
      }

      throw await AzoraApiError.fromResponse(response, options.now());
    }
  };
}

/** Waits, or rejects with the signal's reason as soon as the caller aborts the request. */
export function sleep(milliseconds: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }

    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, milliseconds);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

async function discard(response: Response): Promise<void> {
  await response.body?.cancel().catch(() => undefined);
}
