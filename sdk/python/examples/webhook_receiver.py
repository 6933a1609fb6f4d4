"""Receive Azora's webhooks: a small HTTP endpoint that verifies each delivery, subscribed and pinged.

Needs an instructor or admin account (AZORA_EMAIL, AZORA_PASSWORD; the Development stack's admin by default). A
local http:// target is accepted only by a Development stack; real subscriptions use public https URLs.
"""
import os
import queue
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List

from azora_sdk import AzoraClient, WebhookVerificationError, verify_webhook

API_URL = os.environ.get("AZORA_API_URL", "http://localhost:5080")
EMAIL = os.environ.get("AZORA_EMAIL", "admin@azora.local")
PASSWORD = os.environ.get("AZORA_PASSWORD", "azora-development-only")

secrets: List[str] = []  # the subscription's secret; keep the old one too while you deploy a rotated secret
events: "queue.Queue[Dict[str, Any]]" = queue.Queue()


class Hook(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))  # the raw bytes, before any parsing
        try:
            event = verify_webhook(body, self.headers.get("Azora-Signature"), secrets)
        except WebhookVerificationError as error:
            self.send_response(400)  # forged, altered, replayed or malformed: do not act on it
            print(f"refused a delivery: {error.reason}")
        else:
            self.send_response(200)  # answer fast; deduplicate on event["id"], deliveries come at least once
            events.put(event)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
threading.Thread(target=server.serve_forever, daemon=True).start()

with AzoraClient(API_URL) as azora:
    azora.sign_in(EMAIL, PASSWORD)
    url = f"http://127.0.0.1:{server.server_port}/hooks/azora"
    subscription = azora.create_webhook(url=url, events=["course.enrolled"], description="example receiver")
    assert subscription.secret, "the secret is in the answer that creates the subscription, and only there"
    secrets.append(subscription.secret)  # store it now
    try:
        delivery = azora.ping_webhook(subscription.id)
        event = events.get(timeout=30)
        print(f"verified {event['type']} event {event['id']} for subscription {event['data']['subscriptionId']}")
        for _ in range(50):  # the delivery log says pending until the relay records the receiver's answer
            outcome = azora.list_webhook_deliveries(subscription.id).data[0].outcome
            if outcome != "pending":
                break
            time.sleep(0.2)
        print(f"delivery {delivery.id}: {outcome}")
    finally:
        azora.delete_webhook(subscription.id)
        azora.sign_out()
        server.shutdown()
