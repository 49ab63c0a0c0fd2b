"""A local receiver on 127.0.0.1, a canary listener on 127.0.0.2, and delivery helpers."""

from __future__ import annotations

import datetime as dt
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.db import transaction

from projects.models import Project
from webhooks.models import WebhookOutbox
from webhooks.services import webhook_deliveries_due, webhook_delivery_send, webhook_endpoint_set, webhook_event_emit

# (attempt index, received request) -> (status, extra response headers)
Responder = Callable[[int, "Received"], tuple[int, dict[str, str]]]


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A tiny threaded HTTP server: records every POST, answers what ``responder`` says."""

    port: int = 0
    requests: list[Received] = field(default_factory=list)
    responder: Responder = lambda index, request: (200, {})  # noqa: E731
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's name)
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                request = Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                with receiver._lock:
                    receiver.requests.append(request)
                    index = len(receiver.requests) - 1
                status, headers = receiver.responder(index, request)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@pytest.fixture
def local_allowed(settings) -> None:
    """The test-only exemption: http and 127.0.0.1 / ::1 receivers."""
    settings.IDCHECK_OUTBOUND_ALLOW_LOCAL = True


@pytest.fixture
def receiver(local_allowed) -> Iterator[Receiver]:
    server = Receiver()
    server.start()
    yield server
    server.stop()


@dataclass
class Canary:
    port: int
    connections: int = 0


@pytest.fixture
def canary() -> Iterator[Canary]:
    """A listener on 127.0.0.2 that counts every connection it accepts (must stay 0)."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.2", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    result = Canary(port=listener.getsockname()[1])
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            result.connections += 1
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield result
    stop.set()
    thread.join()
    listener.close()


def endpoint_at(project: Project, url: str):
    with transaction.atomic():
        return webhook_endpoint_set(project=project, url=url)


def emit(project: Project, event: str, resource_id: str, **extra: object) -> WebhookOutbox:
    with transaction.atomic():
        payload = {"webhook_trigger": event, "submission_id": resource_id, **extra}
        return webhook_event_emit(project=project, event=event, resource_id=resource_id, payload=payload)


def send_due(now: dt.datetime | None = None) -> list[str | None]:
    """What the sweeper and workers do, inline: one attempt of every delivery due now."""
    return [webhook_delivery_send(delivery_id=pk) for pk in webhook_deliveries_due(now=now)]
