// Compile-time checks of the types read out of the generated document (npm test compiles before it runs, so a
// regenerated schema that breaks them fails the build); the test itself only records that they compiled.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { PagedItem, PagedPath, QueryOf, RequestBodyOf, ResponseOf } from "@azora/sdk";

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Expect<T extends true> = T;

// Every documented paged list can be walked with paginate, and a plain array cannot.
const paged = [
  "/api/education/courses",
  "/api/education/enrollments",
  "/api/education/certificates",
  "/api/pay/payments",
  "/api/webhooks/{id}/deliveries",
  "/api/admin/users",
  "/api/admin/audit",
] satisfies PagedPath[];
// @ts-expect-error GET /api/webhooks answers a plain array, not a page
const notPaged: PagedPath = "/api/webhooks";

export type Checks = [
  Expect<Equals<PagedItem<"/api/education/courses">, ResponseOf<"ListCourses">["data"][number]>>,
  Expect<Equals<PagedItem<"/api/pay/payments">, ResponseOf<"ListPayments">["data"][number]>>,
  // 200 and 201 answer the same enrollment.
  Expect<Equals<ResponseOf<"Enroll">, ResponseOf<"ListEnrollments">["data"][number]>>,
  Expect<"accessToken" extends keyof ResponseOf<"Login"> ? true : false>,
  Expect<"q" extends keyof QueryOf<"ListCourses"> ? true : false>,
];

// A member the API lets be null may be left out of a request body.
const intent: RequestBodyOf<"CreatePaymentIntent"> = { courseId: "0e6a" };
const subscription: RequestBodyOf<"CreateWebhook"> = { url: "https://partner.example/hooks", events: ["course.enrolled"] };

test("the types read out of the generated schema compile", () => {
  assert.equal(paged.length, 7);
  assert.equal(notPaged, "/api/webhooks");
  assert.deepEqual([intent, subscription].length, 2);
});
