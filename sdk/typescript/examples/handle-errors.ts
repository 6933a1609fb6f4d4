// Every error answer is an AzoraApiError: branch on `code`, show `errors` by field, quote `traceId` to support.
import { AzoraApiError, AzoraClient } from "@azora/sdk";

const client = new AzoraClient({ baseUrl: process.env.AZORA_API_URL ?? "http://localhost:5080" });

try {
  await client.register({ email: "ada@example.com", password: "short", name: "Ada Lovelace" });
} catch (error) {
  if (!(error instanceof AzoraApiError) || error.code !== "VALIDATION_ERROR") {
    throw error;
  }

  for (const [field, messages] of Object.entries(error.errors)) {
    console.log(`${field}: ${messages.join(" ")}`);
  }
  console.log(`trace id: ${error.traceId}`);
}

try {
  await client.getCourse("a-course-that-does-not-exist");
} catch (error) {
  if (error instanceof AzoraApiError && error.code === "NOT_FOUND") {
    console.log(`no such course (${error.status} ${error.code})`);
  } else {
    throw error;
  }
}
