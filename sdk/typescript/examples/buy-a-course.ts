// Buy a paid course: create its payment intent (idempotently), then hand the client secret to Stripe.js.
import { AzoraClient } from "@azora/sdk";

const client = new AzoraClient({
  baseUrl: process.env.AZORA_API_URL ?? "http://localhost:5080",
  // A 429 is retried after its Retry-After, here at most 3 times and only when the wait is 10 seconds or less.
  rateLimit: { maxRetries: 3, maxWaitSeconds: 10 },
  onRateLimited: ({ retry, waitSeconds }) => console.warn(`rate limited: retry ${retry} in ${waitSeconds} s`),
});
await client.signIn(process.env.AZORA_EMAIL ?? "learner@azora.local", process.env.AZORA_PASSWORD ?? "azora-development-only");

let paid: { id: string; title: string } | undefined;
for await (const course of client.paginate("/api/education/courses", { query: { sort: "price" } })) {
  paid ??= course.isFree ? undefined : course;
}
if (!paid) {
  throw new Error("no paid course in the catalog");
}

// Name the request after your own order: sending it again (after a timeout, say) returns the same payment.
const idempotencyKey = `order-${crypto.randomUUID()}`;
const intent = await client.createPaymentIntent({ courseId: paid.id }, { idempotencyKey });
console.log(`${paid.title}: payment ${intent.status}, ${intent.amount} ${intent.currency} (minor units); give Stripe.js the client secret`);

const again = await client.createPaymentIntent({ courseId: paid.id }, { idempotencyKey });
console.log(again.paymentId === intent.paymentId ? "sent again: the same payment" : "sent again: a second payment!");

// Without a key of yours, the client makes one per call (and reuses it on its own retries).
const payment = await client.getPayment(intent.paymentId);
console.log(`payment status: ${payment.status}`);
