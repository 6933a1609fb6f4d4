export { AzoraClient, type AzoraClientOptions, type IdempotencyOptions, type PaginateOptions, type Session } from "./client.js";
export { AzoraApiError } from "./errors.js";
export type { RateLimitedEvent, RateLimitRetryOptions } from "./transport.js";
export type {
  components,
  DocumentedBodyOf,
  OperationId,
  operations,
  PagedItem,
  PagedPath,
  PageParameters,
  paths,
  QueryOf,
  RequestBodyOf,
  ResponseOf,
} from "./types.js";
