// Sign in, browse the catalog page by page, and enroll in a free course.
import { AzoraClient } from "@azora/sdk";

const client = new AzoraClient({ baseUrl: process.env.AZORA_API_URL ?? "http://localhost:5080" });
const me = await client.signIn(process.env.AZORA_EMAIL ?? "learner@azora.local", process.env.AZORA_PASSWORD ?? "azora-development-only");
console.log(`signed in as ${me.name} (${me.roles.join(", ")})`);

const { data: categories } = await client.listCategories();
console.log(`categories: ${categories.map((category) => category.slug).join(", ")}`);

// One page...
const first = await client.listCourses({ sort: "title" });
console.log(`page 1 of ${first.pagination.pages}: ${first.data.map((course) => course.title).join(", ")}`);

// ...or every course, page after page.
let count = 0;
let free: { id: string; title: string } | undefined;
for await (const course of client.paginate("/api/education/courses", { query: { sort: "title" } })) {
  count++;
  free ??= course.isFree ? course : undefined;
}
console.log(`${count} courses in the catalog`);

if (free) {
  const enrollment = await client.enroll(free.id);
  console.log(`enrolled in ${enrollment.course.title}: ${enrollment.progress.completedLessons}/${enrollment.progress.totalLessons} lessons done`);
}

// An operation without a method of its own goes through the typed client underneath, which signs, retries and throws
// like the methods.
const { data: certificates } = await client.api.GET("/api/education/certificates");
console.log(`${certificates!.pagination.total} certificates`);

await client.signOut();
