"""A partner's webhook endpoint on loopback for the live tests: keeps each POST's headers and raw body."""
from __future__ import annotations

import queue
import threading
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Dict


@dataclass
class Delivery:
    headers: Dict[str, str]
    body: bytes


class Receiver:
    def __init__(self) -> None:
        self.path = f"/hooks/{uuid.uuid4().hex}"
        self.deliveries: "queue.Queue[Delivery]" = queue.Queue()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path != receiver.path:
                    # Another run's subscription retrying to a port this receiver now has.
                    self.send_response(410)
                else:
                    receiver.deliveries.put(Delivery({k: v for k, v in self.headers.items()}, body))
                    self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}{self.path}"

    def next(self, within: float = 30.0) -> Delivery:
        try:
            return self.deliveries.get(timeout=within)
        except queue.Empty:
            raise AssertionError(f"No webhook reached {self.url} within {within:.0f} s.") from None

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> "Receiver":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
