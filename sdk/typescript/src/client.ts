import createClient, { type Client } from "openapi-fetch";
import type { paths } from "./generated/schema.js";
import { AzoraApiError } from "./errors.js";
import { createTransport, sleep, type Credentials, type RateLimitedEvent, type RateLimitRetryOptions } from "./transport.js";
import type { DocumentedBodyOf, PagedItem, PagedPath, PageParameters, QueryOf, RequestBodyOf, ResponseOf } from "./types.js";

/** A signed-in session: what {@link AzoraClient.session} gives and the `session` option takes back. */
export interface Session {
  accessToken: string;
  refreshToken: string;
  /** When the access token expires (from the `expiresIn` of the answer that issued it). */
  expiresAt: Date;
}

export interface AzoraClientOptions {
  /** The API's base URL, e.g. `https://api.azora.world` or `http://localhost:5080`. */
  baseUrl: string;
  /** A partner API key (`azk_…`), sent as `Authorization: Bearer azk_…` while no one is signed in. */
  apiKey?: string | undefined;
  /** A session saved from an earlier {@link AzoraClient.session}, to go on without signing in again. */
  session?: Session | undefined;
  /** Told every time the session starts, is refreshed or ends (undefined), e.g. to keep the refresh token safe. */
  onSessionChange?: ((session: Session | undefined) => void) | undefined;
  /** Refresh the access token when fewer than this many seconds of it remain (default 60). */
  refreshMarginSeconds?: number | undefined;
  /** Retries after `429 Too Many Requests` (default: 2 retries, 30 seconds the longest wait). */
  rateLimit?: RateLimitRetryOptions | undefined;
  /** Told before each wait for a 429, e.g. to log it. */
  onRateLimited?: ((event: RateLimitedEvent) => void) | undefined;
  /** The fetch implementation (default: the global fetch); it is given a Request. */
  fetch?: ((request: Request) => Promise<Response>) | undefined;
}

/** Paging options of {@link AzoraClient.paginate}. */
export interface PaginateOptions {
  /** Items per request, 1 to 100 (default 100, the API's largest page). */
  pageSize?: number;
}

/** An idempotency key for payment-intent creation; without one the client makes a new one per call. */
export interface IdempotencyOptions {
  idempotencyKey?: string;
}

/**
 * The Azora API client. Every request is typed by the generated OpenAPI paths (see {@link AzoraClient.api} for the
 * operations without a convenience method), carries the session's access token or the API key, and throws
 * {@link AzoraApiError} for every answer that is not a success.
 */
export class AzoraClient {
  /**
   * The typed openapi-fetch client behind the convenience methods, for every other operation, e.g.
   * `client.api.GET("/api/admin/users", { params: { query: { q: "ada" } } })`. It signs and retries like the methods,
   * and throws {@link AzoraApiError} instead of returning `error`, so `data` is set whenever the call returns (but
   * for 204 answers).
   */
  readonly api: Client<paths>;
  private readonly anonymous: Client<paths>;
  private readonly apiKey: string | undefined;
  private readonly refreshMarginMilliseconds: number;
  private readonly onSessionChange: ((session: Session | undefined) => void) | undefined;
  private current: Session | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(options: AzoraClientOptions) {
    if (!options.baseUrl) {
      throw new TypeError("AzoraClient needs a baseUrl, e.g. https://api.azora.world");
    }

    this.apiKey = options.apiKey;
    // expiresAt may come back from JSON as a string.
    this.current = options.session ? { ...options.session, expiresAt: new Date(options.session.expiresAt) } : undefined;
    this.onSessionChange = options.onSessionChange;
    this.refreshMarginMilliseconds = (options.refreshMarginSeconds ?? 60) * 1000;
    const fetch = options.fetch ?? ((input: Request) => globalThis.fetch(input));
    const retry = { maxRetries: options.rateLimit?.maxRetries ?? 2, maxWaitSeconds: options.rateLimit?.maxWaitSeconds ?? 30 };
    const transport = (credentials: Credentials | undefined) =>
      createTransport({ fetch, retry, credentials, now: Date.now, sleep, onRateLimited: options.onRateLimited });
    const credentials: Credentials = {
      authorization: () => this.authorization(),
      unauthorized: (sent) => this.unauthorized(sent),
    };
    this.api = createClient<paths>({ baseUrl: options.baseUrl, fetch: transport(credentials) });
    this.anonymous = createClient<paths>({ baseUrl: options.baseUrl, fetch: transport(undefined) });
  }

  /** The current session (a copy), or undefined when no one is signed in. */
  get session(): Session | undefined {
    return this.current ? { ...this.current, expiresAt: new Date(this.current.expiresAt) } : undefined;
  }

  // Sign-in and sessions

  /** Signs in with email and password; later requests carry the access token, refreshed before it expires. */
  async signIn(email: string, password: string): Promise<ResponseOf<"Login">["user"]> {
    const tokens = await this.ok(this.anonymous.POST("/api/auth/login", { body: { email, password } }));
    this.start(tokens);
    return tokens.user;
  }

  /**
   * Creates a learner account and signs it in. The API answers register with 202 and no tokens (the same answer
   * whether or not the email already has an account; a mail goes to the address), so this then signs in with the
   * same email and password; for an email that already had an account, that sign-in fails (`INVALID_CREDENTIALS`).
   * Paying needs a verified email: see `verifyEmail`.
   */
  async register(account: RequestBodyOf<"Register">): Promise<ResponseOf<"Login">["user"]> {
    const accepted = await this.ok(this.anonymous.POST("/api/auth/register", { body: account as DocumentedBodyOf<"Register"> }));
    return this.signIn(accepted.email, account.password);
  }

  /** Verifies an email with the `token` parameter of the link in a verification mail; needs no session. */
  async verifyEmail(token: string): Promise<void> {
    await this.anonymous.POST("/api/auth/verify-email", { body: { token } });
  }

  /** Mails the signed-in account a new verification link (the earlier one stops working). */
  resendVerificationEmail(): Promise<ResponseOf<"ResendVerificationEmail">> {
    return this.ok(this.api.POST("/api/auth/verify-email/resend"));
  }

  /** Asks to move the signed-in account to a new email: a link is mailed there, and following it applies the change. */
  changeEmail(change: RequestBodyOf<"ChangeEmail">): Promise<ResponseOf<"ChangeEmail">> {
    return this.ok(this.api.POST("/api/auth/email", { body: change as DocumentedBodyOf<"ChangeEmail"> }));
  }

  /**
   * Exchanges the refresh token for a new pair now. The client does this by itself before the access token expires
   * and once after a 401; concurrent callers share one exchange (two exchanges of one refresh token would close the
   * session). A refused refresh token (`INVALID_REFRESH_TOKEN`, `SESSION_EXPIRED`) ends the session: sign in again.
   */
  refresh(): Promise<void> {
    if (!this.refreshing) {
      this.refreshing = this.exchangeRefreshToken().finally(() => {
        this.refreshing = undefined;
      });
    }

    return this.refreshing;
  }

  /** Signs out: the API ends the session (every token of it), and the client forgets it. */
  async signOut(): Promise<void> {
    if (!this.current) {
      return;
    }

    try {
      await this.api.POST("/api/auth/logout");
    } catch (error) {
      // A session the API no longer knows is as signed out as it gets.
      if (!(error instanceof AzoraApiError && error.status === 401)) {
        throw error;
      }
    } finally {
      this.setSession(undefined);
    }
  }

  // Paging

  /**
   * Every item of a paged list, page after page until `pagination.pages`:
   * `for await (const course of client.paginate("/api/education/courses", { query: { category: "music" } }))`.
   */
  async *paginate<P extends PagedPath>(path: P, parameters?: PageParameters<P>, options: PaginateOptions = {}): AsyncGenerator<PagedItem<P>, void, undefined> {
    const limit = options.pageSize ?? 100;
    const get = this.api.GET as unknown as (path: string, init: object) => Promise<{ data?: { data: PagedItem<P>[]; pagination: { pages: number } } }>;
    const pathParameters = (parameters as { path?: object } | undefined)?.path;
    for (let page = 1; ; page++) {
      const { data } = await get(path, { params: { path: pathParameters, query: { ...parameters?.query, page, limit } } });
      if (!data) {
        return;
      }

      yield* data.data;
      if (page >= data.pagination.pages || data.data.length === 0) {
        return;
      }
    }
  }

  // Catalog

  listCategories(): Promise<ResponseOf<"ListCategories">> {
    return this.ok(this.api.GET("/api/education/categories"));
  }

  /** One page of the catalog; see {@link paginate} for all of it. */
  listCourses(query?: QueryOf<"ListCourses">): Promise<ResponseOf<"ListCourses">> {
    return this.ok(this.api.GET("/api/education/courses", { params: { query } }));
  }

  /** One course, by id or slug, with its lesson outline. */
  getCourse(courseIdOrSlug: string): Promise<ResponseOf<"GetCourse">> {
    return this.ok(this.api.GET("/api/education/courses/{courseId}", { params: { path: { courseId: courseIdOrSlug } } }));
  }

  // Learning

  /** Enrolls the signed-in learner in a free course (a paid one answers 402 PAYMENT_REQUIRED). */
  enroll(courseId: string): Promise<ResponseOf<"Enroll">> {
    return this.ok(this.api.POST("/api/education/courses/{courseId}/enroll", { params: { path: { courseId } } }));
  }

  listEnrollments(query?: QueryOf<"ListEnrollments">): Promise<ResponseOf<"ListEnrollments">> {
    return this.ok(this.api.GET("/api/education/enrollments", { params: { query } }));
  }

  completeLesson(courseId: string, lessonId: string): Promise<ResponseOf<"CompleteLesson">> {
    return this.ok(this.api.POST("/api/education/courses/{courseId}/lessons/{lessonId}/complete", { params: { path: { courseId, lessonId } } }));
  }

  // Profile

  getProfile(): Promise<ResponseOf<"GetProfile">> {
    return this.ok(this.api.GET("/api/auth/profile"));
  }

  updateProfile(changes: RequestBodyOf<"UpdateProfile">): Promise<ResponseOf<"UpdateProfile">> {
    return this.ok(this.api.PATCH("/api/auth/profile", { body: changes as DocumentedBodyOf<"UpdateProfile"> }));
  }

  // Payments

  /**
   * Creates (or finds the open) payment intent for a paid course. Sends `Idempotency-Key`: the one given, or a new
   * random UUID; the client's own retries (after a 429 or a refresh) reuse it, so they never make a second intent.
   */
  createPaymentIntent(request: RequestBodyOf<"CreatePaymentIntent">, options: IdempotencyOptions = {}): Promise<ResponseOf<"CreatePaymentIntent">> {
    const idempotencyKey = options.idempotencyKey ?? globalThis.crypto.randomUUID();
    return this.ok(
      this.api.POST("/api/pay/payment-intent", {
        body: request as DocumentedBodyOf<"CreatePaymentIntent">,
        params: { header: { "Idempotency-Key": idempotencyKey } },
      }),
    );
  }

  listPayments(query?: QueryOf<"ListPayments">): Promise<ResponseOf<"ListPayments">> {
    return this.ok(this.api.GET("/api/pay/payments", { params: { query } }));
  }

  getPayment(paymentId: string): Promise<ResponseOf<"GetPayment">> {
    return this.ok(this.api.GET("/api/pay/payments/{paymentId}", { params: { path: { paymentId } } }));
  }

  // Webhooks

  /** Subscribes a URL to events; the answer carries the signing `secret`, shown only this once. */
  createWebhook(subscription: RequestBodyOf<"CreateWebhook">): Promise<ResponseOf<"CreateWebhook">> {
    return this.ok(this.api.POST("/api/webhooks", { body: subscription as DocumentedBodyOf<"CreateWebhook"> }));
  }

  listWebhooks(): Promise<ResponseOf<"ListWebhooks">> {
    return this.ok(this.api.GET("/api/webhooks"));
  }

  getWebhook(id: string): Promise<ResponseOf<"GetWebhook">> {
    return this.ok(this.api.GET("/api/webhooks/{id}", { params: { path: { id } } }));
  }

  updateWebhook(id: string, changes: RequestBodyOf<"UpdateWebhook">): Promise<ResponseOf<"UpdateWebhook">> {
    return this.ok(this.api.PATCH("/api/webhooks/{id}", { params: { path: { id } }, body: changes as DocumentedBodyOf<"UpdateWebhook"> }));
  }

  async deleteWebhook(id: string): Promise<void> {
    await this.api.DELETE("/api/webhooks/{id}", { params: { path: { id } } });
  }

  /** Queues a signed `ping` event to the subscription; answers with the delivery. */
  pingWebhook(id: string): Promise<ResponseOf<"PingWebhook">> {
    return this.ok(this.api.POST("/api/webhooks/{id}/ping", { params: { path: { id } } }));
  }

  /** A new signing secret; deliveries carry a signature with the old one too until `previousSecretValidUntil`. */
  rotateWebhookSecret(id: string): Promise<ResponseOf<"RotateWebhookSecret">> {
    return this.ok(this.api.POST("/api/webhooks/{id}/rotate-secret", { params: { path: { id } } }));
  }

  listWebhookDeliveries(id: string, query?: QueryOf<"ListWebhookDeliveries">): Promise<ResponseOf<"ListWebhookDeliveries">> {
    return this.ok(this.api.GET("/api/webhooks/{id}/deliveries", { params: { path: { id }, query } }));
  }

  // API keys

  /** Creates an API key for the signed-in instructor or admin; the answer's `key` is shown only this once. */
  createApiKey(key: RequestBodyOf<"CreateApiKey">): Promise<ResponseOf<"CreateApiKey">> {
    return this.ok(this.api.POST("/api/auth/api-keys", { body: key as DocumentedBodyOf<"CreateApiKey"> }));
  }

  listApiKeys(): Promise<ResponseOf<"ListApiKeys">> {
    return this.ok(this.api.GET("/api/auth/api-keys"));
  }

  async revokeApiKey(id: string): Promise<void> {
    await this.api.DELETE("/api/auth/api-keys/{id}", { params: { path: { id } } });
  }

  // Internals

  private async ok<Data>(call: Promise<{ data?: Data; response: Response }>): Promise<Data> {
    // The transport throws AzoraApiError for every failure, so a returned call is a success with its body.
    const { data } = await call;
    return data as Data;
  }

  private start(tokens: { accessToken: string; refreshToken: string; expiresIn: number }) {
    this.setSession({
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      expiresAt: new Date(Date.now() + tokens.expiresIn * 1000),
    });
  }

  private setSession(session: Session | undefined) {
    this.current = session;
    this.onSessionChange?.(this.session);
  }

  private async exchangeRefreshToken(): Promise<void> {
    const session = this.current;
    if (!session) {
      throw new Error("Not signed in: there is no refresh token to exchange.");
    }

    try {
      this.start(await this.ok(this.anonymous.POST("/api/auth/refresh", { body: { refreshToken: session.refreshToken } })));
    } catch (error) {
      if (error instanceof AzoraApiError && error.status === 401 && this.current === session) {
        this.setSession(undefined);
      }

      throw error;
    }
  }

  private async authorization(): Promise<string | undefined> {
    if (this.refreshing) {
      await this.refreshing;
    }

    if (this.current && Date.now() >= this.current.expiresAt.getTime() - this.refreshMarginMilliseconds) {
      await this.refresh();
    }

    if (this.current) {
      return `Bearer ${this.current.accessToken}`;
    }

    return this.apiKey === undefined ? undefined : `Bearer ${this.apiKey}`;
  }

  private async unauthorized(sent: string): Promise<boolean> {
    if (!this.current) {
      return false;
    }

    if (sent !== `Bearer ${this.current.accessToken}`) {
      // Another call refreshed the token after this one was sent: retry with the new one.
      return true;
    }

    await this.refresh();
    return true;
  }
}
