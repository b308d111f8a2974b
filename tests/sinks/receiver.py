"""A real HTTP endpoint on loopback for the sink tests: it records every request and
answers as scripted.

- `default`: the reply when nothing else is scripted (200);
- `script(*replies)`: the next requests, whatever they carry, get these replies in turn;
- `per_key(*replies)`: the n-th request carrying one `Idempotency-Key` gets the n-th
  reply (each alert is answered so, on its own), then `default`;
- `hang()`: every request is held without an answer until `release()` (or `close()`);
- `down(seconds)`: the listening socket is closed now (connections are refused) and
  opened again on the same port after `seconds`.

A reply is `Reply(status, delay=seconds before answering, retry_after=header value)`.
Every connection serves one request (HTTP/1.0), so a closed socket leaves no kept-alive
connection behind."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass(frozen=True)
class Reply:
    status: int = 200
    delay: float = 0.0
    retry_after: str | None = None


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]  # lower-case names
    body: bytes
    at: float  # time.monotonic() when it arrived
    status: int  # what it was answered (0: held, never answered)

    @property
    def key(self) -> str:
        return self.headers.get("idempotency-key", "")


class Receiver:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        self.default = Reply()
        self.requests: list[Received] = []
        self.lock = threading.Lock()
        self._script: list[Reply] = []
        self._per_key: list[Reply] = []
        self._seen_keys: dict[str, int] = {}
        self._held = threading.Event()
        self._held.set()  # set: nothing held
        self._closed = threading.Event()
        self._reopen: threading.Timer | None = None
        self.port = 0
        self.httpd: ThreadingHTTPServer | None = None
        self._open()

    # --- scripting ---

    def script(self, *replies: Reply | int) -> None:
        with self.lock:
            self._script.extend(_reply(r) for r in replies)

    def per_key(self, *replies: Reply | int) -> None:
        with self.lock:
            self._per_key = [_reply(r) for r in replies]

    def hang(self) -> None:
        self._held.clear()

    def release(self) -> None:
        self._held.set()

    def down(self, seconds: float) -> None:
        """Closes the socket now; opens it again (same port) after `seconds`."""
        self._shutdown()
        self._reopen = threading.Timer(seconds, self._open)
        self._reopen.daemon = True
        self._reopen.start()

    # --- what it saw ---

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def received(self, status: int | None = None) -> list[Received]:
        with self.lock:
            return [r for r in self.requests if status is None or r.status == status]

    def keys(self, status: int | None = None) -> list[str]:
        return [r.key for r in self.received(status)]

    # --- life ---

    def _open(self) -> None:
        if self._closed.is_set():
            return
        httpd = ThreadingHTTPServer((self.host, self.port), _handler(self))
        httpd.daemon_threads = True
        httpd.block_on_close = False
        self.port = httpd.server_address[1]
        self.httpd = httpd
        threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def _shutdown(self) -> None:
        httpd, self.httpd = self.httpd, None
        if httpd is not None:
            httpd.shutdown()
            httpd.server_close()

    def close(self) -> None:
        self._closed.set()
        if self._reopen is not None:
            self._reopen.cancel()
        self._held.set()
        self._shutdown()

    def __enter__(self) -> Receiver:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _answer(self, key: str) -> Reply:
        with self.lock:
            if self._script:
                return self._script.pop(0)
            if key and self._per_key:
                n = self._seen_keys.get(key, 0)
                self._seen_keys[key] = n + 1
                if n < len(self._per_key):
                    return self._per_key[n]
            return self.default


def _reply(r: Reply | int) -> Reply:
    return r if isinstance(r, Reply) else Reply(r)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            arrived = time.monotonic()
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            headers = {k.lower(): v for k, v in self.headers.items()}
            if not receiver._held.is_set():
                with receiver.lock:
                    receiver.requests.append(Received(self.path, headers, body, arrived, 0))
                receiver._held.wait()
                return  # never answered: the connection closes
            reply = receiver._answer(headers.get("idempotency-key", ""))
            if reply.delay:
                time.sleep(reply.delay)
            with receiver.lock:
                receiver.requests.append(Received(self.path, headers, body, arrived, reply.status))
            try:
                self.send_response(reply.status)
                if reply.retry_after is not None:
                    self.send_header("Retry-After", reply.retry_after)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except OSError:  # the client gave up waiting
                pass

    return Handler
