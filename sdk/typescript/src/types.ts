// Types read out of the generated document by operation id and path, so that regenerating the schema is all a change
// of the API's contract needs: nothing here names a schema.
import type { operations, paths } from "./generated/schema.js";

export type { components, operations, paths } from "./generated/schema.js";

/** An operation id of the Azora API (`ListCourses`, `Login`, `CreatePaymentIntent`, …). */
export type OperationId = keyof operations;

type JsonOf<R> = R extends { content: { "application/json": infer Body } } ? Body : never;
type SuccessStatus = 200 | 201 | 202;

/** The JSON body an operation answers with on success (the union of its 2xx bodies). */
export type ResponseOf<Id extends OperationId> = {
  [Status in keyof operations[Id]["responses"]]: Status extends SuccessStatus ? JsonOf<operations[Id]["responses"][Status]> : never;
}[keyof operations[Id]["responses"]];

/** The JSON request body an operation takes, as the document describes it. */
export type DocumentedBodyOf<Id extends OperationId> = operations[Id] extends { requestBody?: infer Body } ? JsonOf<NonNullable<Body>> : never;

/**
 * The request body a convenience method accepts: the documented body, where a member that may be `null` may also be
 * left out (the API treats an absent member as `null`: "unchanged" for updates, "not given" for creates).
 */
export type RequestBodyOf<Id extends OperationId> = OmittableNulls<DocumentedBodyOf<Id>>;

type OmittableNulls<T> = T extends object
  ? { [K in keyof T as null extends T[K] ? never : K]: T[K] } & { [K in keyof T as null extends T[K] ? K : never]?: T[K] }
  : T;

/** The query parameters of an operation. */
export type QueryOf<Id extends OperationId> = NonNullable<operations[Id]["parameters"]["query"]>;

type PagedBody = { data: unknown[]; pagination: unknown };

/** The paths whose GET answers a page (`{ data: [...], pagination }`), for {@link AzoraClient.paginate}. */
export type PagedPath = {
  [P in keyof paths]: paths[P] extends { get: { responses: { 200: { content: { "application/json": PagedBody } } } } } ? P : never;
}[keyof paths];

/** One item of a paged list. */
export type PagedItem<P extends PagedPath> = paths[P] extends {
  get: { responses: { 200: { content: { "application/json": { data: (infer Item)[] } } } } };
}
  ? Item
  : never;

type GetParameters<P extends PagedPath> = paths[P] extends { get: { parameters: infer Parameters } } ? Parameters : never;
type PathParameters<P extends PagedPath> = NonNullable<GetParameters<P> extends { path?: infer Path } ? Path : never>;
type PageQuery<P extends PagedPath> = Omit<NonNullable<GetParameters<P> extends { query?: infer Query } ? Query : never>, "page" | "limit">;

/** What {@link AzoraClient.paginate} takes: the list's filters (without `page` and `limit`) and its path parameters. */
export type PageParameters<P extends PagedPath> = [PathParameters<P>] extends [never]
  ? { query?: PageQuery<P> }
  : { query?: PageQuery<P>; path: PathParameters<P> };
