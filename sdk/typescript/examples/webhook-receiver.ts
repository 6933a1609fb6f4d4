// A webhook receiver: verify the signature over the raw body before anything else, answer 2xx quickly, and
// deduplicate on the event id (deliveries are at least once).
import { createServer, type Server } from "node:http";
import { verifyWebhook, WebhookVerificationError, type WebhookEvent } from "@azora/sdk/webhooks";

export function createWebhookReceiver(options: {
  /** The subscription's secret; during a rotation, the new and the old one. */
  secrets: string | string[];
  onEvent: (event: WebhookEvent) => void | Promise<void>;
}): Server {
  const seen = new Set<string>();
  return createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) {
      chunks.push(chunk as Buffer);
    }

    let event: WebhookEvent;
    try {
      event = verifyWebhook({ payload: Buffer.concat(chunks), header: request.headers["azora-signature"], secrets: options.secrets });
    } catch (error) {
      if (error instanceof WebhookVerificationError) {
        response.writeHead(400, { "Content-Type": "text/plain" }).end(error.reason);
        return;
      }
      throw error;
    }

    if (!seen.has(event.id)) {
      seen.add(event.id);
      await options.onEvent(event);
    }
    response.writeHead(204).end();
  });
}
