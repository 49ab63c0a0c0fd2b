"""A webhook receiver on 127.0.0.1 that checks every Standard Webhooks signature, for the
benchmarks: in a thread of the bench (``bench_webhooks``) or as a process of its own
(``python -m webhooks.receiver --port N``, for ``manage.py soak``, which samples its memory).

No Django here, so that the process stays as small as a real integrator's receiver would be.
As a process it reads the endpoint's secret from IDCHECK_RECEIVER_SECRET (never the command
line, which ``ps`` shows) and answers ``GET /stats`` with its counts as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

SECRET_VARIABLE = "IDCHECK_RECEIVER_SECRET"
RECEIVE_TIMEOUT_S = 120.0


@dataclass
class SigningReceiver:
    """Answers 200 to every POST whose Standard Webhooks signature verifies (400 otherwise) and
    records when each ``webhook-id`` arrived (``time.time()``; the bench runs on one machine).
    ``received`` counts every verified POST, so ``received - len(arrivals)`` are re-sends."""

    secret: str = ""
    arrivals: dict[str, float] = field(default_factory=dict)
    forged: int = 0
    received: int = 0
    port: int = 0
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bench"

    def start(self, port: int = 0) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def verify(self, body: bytes, headers: dict[str, str]) -> bool:
        arrived = time.time()
        try:
            Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError:
            with self._lock:
                self.forged += 1
            return False
        with self._lock:
            self.received += 1
            self.arrivals.setdefault(headers["webhook-id"], arrived)
        return True

    def stats(self) -> dict[str, int]:
        with self._lock:
            return {"delivered": len(self.arrivals), "received": self.received, "forged": self.forged}

    def wait_for(self, count: int, *, timeout: float = RECEIVE_TIMEOUT_S) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.arrivals) >= count:
                    return True
            time.sleep(0.002)
        return False

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def _handler(receiver: SigningReceiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("content-length", "0")))
            headers = {name.lower(): value for name, value in self.headers.items()}
            self._answer(200 if receiver.verify(body, headers) else 400, b"")

        def do_GET(self) -> None:  # noqa: N802
            if self.path != "/stats":
                self._answer(404, b"")
                return
            self._answer(200, json.dumps(receiver.stats()).encode())

        def _answer(self, status: int, body: bytes) -> None:
            self.send_response(status)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Signature-checking webhook receiver on 127.0.0.1.")
    parser.add_argument("--port", type=int, required=True, help="The port to listen on.")
    port = parser.parse_args(argv).port
    secret = os.environ.get(SECRET_VARIABLE, "")
    if not secret:
        parser.error(f"{SECRET_VARIABLE} must hold the endpoint's secret (whsec_…)")
    receiver = SigningReceiver(secret=secret)
    receiver.start(port)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    stop.wait()
    receiver.stop()


if __name__ == "__main__":
    main()
