/**
 * The one error the client throws for an answer that is not a success: an RFC 9457 problem as Azora sends it
 * (`status`, `title`, `detail`, `code`, `traceId`, and `errors` by field for validation), or, for an answer that is
 * not a problem document (a proxy's error page, an empty 502), the same shape with `code` set to `HTTP_<status>` and
 * `isProblem` false. Branch on `code`, never on `title` or `detail`.
 */
export class AzoraApiError extends Error {
  override readonly name = "AzoraApiError";
  /** The HTTP status code. */
  readonly status: number;
  /** Azora's stable error code (`VALIDATION_ERROR`, `NOT_FOUND`, …), or `HTTP_<status>` for a non-problem answer. */
  readonly code: string;
  /** A short human summary; may change, so never branch on it. */
  readonly title: string;
  /** A human explanation of this occurrence, when the API gives one. */
  readonly detail: string | undefined;
  /** Validation messages by field name (`errors.password`, `errors.page`); empty unless `code` is `VALIDATION_ERROR`. */
  readonly errors: Readonly<Record<string, readonly string[]>>;
  /** The request's trace id in Azora's traces and logs, to quote to support. */
  readonly traceId: string | undefined;
  /** The problem `type` URI and `instance` path, when present. */
  readonly type: string | undefined;
  readonly instance: string | undefined;
  /** Seconds the API asked to wait (`Retry-After` of a 429 or 503), when it said. */
  readonly retryAfterSeconds: number | undefined;
  /** Whether the answer was an `application/problem+json` document. */
  readonly isProblem: boolean;

  constructor(init: {
    status: number;
    code: string;
    title: string;
    detail?: string | undefined;
    errors?: Record<string, readonly string[]> | undefined;
    traceId?: string | undefined;
    type?: string | undefined;
    instance?: string | undefined;
    retryAfterSeconds?: number | undefined;
    isProblem: boolean;
  }) {
    super(AzoraApiError.describe(init));
    this.status = init.status;
    this.code = init.code;
    this.title = init.title;
    this.detail = init.detail;
    this.errors = init.errors ?? {};
    this.traceId = init.traceId;
    this.type = init.type;
    this.instance = init.instance;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.isProblem = init.isProblem;
  }

  /** Reads a failed response (consuming its body) into an error. */
  static async fromResponse(response: Response, now: number = Date.now()): Promise<AzoraApiError> {
    const text = await response.text().catch(() => "");
    const retryAfterSeconds = parseRetryAfter(response.headers.get("Retry-After"), now);
    const contentType = response.headers.get("Content-Type") ?? "";
    const problem = contentType.includes("json") ? parseObject(text) : undefined;
    const fallbackCode = `HTTP_${response.status}`;
    const fallbackTitle = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
    if (problem && (contentType.includes("application/problem+json") || typeof problem.code === "string")) {
      return new AzoraApiError({
        status: typeof problem.status === "number" ? problem.status : response.status,
        code: stringOr(problem.code, fallbackCode),
        title: stringOr(problem.title, fallbackTitle),
        detail: optionalString(problem.detail),
        errors: fieldErrors(problem.errors),
        traceId: optionalString(problem.traceId),
        type: optionalString(problem.type),
        instance: optionalString(problem.instance),
        retryAfterSeconds,
        isProblem: true,
      });
    }

    return new AzoraApiError({
      status: response.status,
      code: fallbackCode,
      title: fallbackTitle,
      detail: text.trim() ? text.trim().slice(0, 500) : undefined,
      retryAfterSeconds,
      isProblem: false,
    });
  }

  private static describe(init: { status: number; code: string; title: string; detail?: string | undefined; errors?: Record<string, readonly string[]> | undefined }) {
    const fields = Object.entries(init.errors ?? {}).map(([field, messages]) => `${field}: ${messages.join(" ")}`);
    return `${init.status} ${init.code}: ${init.detail ?? init.title}${fields.length ? ` (${fields.join("; ")})` : ""}`;
  }
}

/** `Retry-After` as seconds: delay-seconds, or an HTTP date measured from `now`; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === "") {
    return undefined;
  }

  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) {
    return Number(trimmed);
  }

  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function stringOr(value: unknown, fallback: string): string {
  return typeof value === "string" && value !== "" ? value : fallback;
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function fieldErrors(value: unknown): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  if (value !== null && typeof value === "object") {
    for (const [field, messages] of Object.entries(value)) {
      result[field] = Array.isArray(messages) ? messages.map(String) : [String(messages)];
    }
  }

  return result;
}
