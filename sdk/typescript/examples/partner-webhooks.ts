// A partner's integration with an API key (scope webhooks:manage): subscribe a URL to events, send it a test ping,
// and read the delivery log.
import { AzoraClient } from "@azora/sdk";

const partner = new AzoraClient({ baseUrl: process.env.AZORA_API_URL ?? "http://localhost:5080", apiKey: process.env.AZORA_API_KEY });

const hook = await partner.createWebhook({
  url: process.env.AZORA_WEBHOOK_URL ?? "https://partner.example/hooks/azora",
  events: ["course.enrolled", "course.completed"],
  description: "CRM sync",
});
// Store hook.secret now (in your secret store): it is shown only in this answer. The receiver verifies with it.
console.log(`subscribed ${hook.url} to ${hook.events.join(", ")}`);

const ping = await partner.pingWebhook(hook.id);
console.log(`ping queued: event ${ping.eventId}`);

for await (const delivery of partner.paginate("/api/webhooks/{id}/deliveries", { path: { id: hook.id } })) {
  console.log(`${delivery.eventType}: ${delivery.outcome}`);
}
