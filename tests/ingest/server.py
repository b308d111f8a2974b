"""A loopback HTTP server for the ingest tests, serving `tests/fixtures/feeds/` with
`{{BASE}}` in text files replaced by its own address, plus routes that misbehave.

| path | what it does |
| --- | --- |
| `/feeds/NAME` | a feed with an ETag and a Last-Modified; 304 when the request's validators match |
| `/plain/NAME` | the same feed without validators (always 200) |
| `/pages/NAME`, `/files/NAME` | a page (`text/html`) or a file (type from its name) |
| `/redirect/N/PATH` | N redirects to `/PATH` (301s, the last a 302 with a relative Location) |
| `/loop/a`, `/loop/b` | redirect to each other |
| `/slow/PATH` | waits `slow` seconds, then serves `/PATH` |
| `/big`, `/big-declared` | 2 MiB streamed without a length; a Content-Length of 10 MB |
| `/status/CODE?retry_after=S` | that status, with `Retry-After: S` when given |
| `/flaky/PATH?code=C&retry_after=S&times=N` | C (with Retry-After) N times, then `/PATH` |
| `/goto?url=URL` | a 302 to URL, wherever that is |
| what `put(PATH, ...)` was given | that body, with `{{BASE}}` replaced |

It listens on 127.0.0.1 unless given another `host` (`127.0.0.2`, `::1`: targets the
fetcher must not reach). Every request is recorded (`requests`: path and headers)."""

from __future__ import annotations

import contextlib
import hashlib
import mimetypes
import socket
import threading
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
LAST_MODIFIED = "Mon, 06 May 2024 10:00:00 GMT"
TEXT_SUFFIXES = {".xml", ".html", ".txt"}


@dataclass(frozen=True)
class Seen:
    path: str
    headers: dict[str, str]  # lower-case names


class FeedServer:
    def __init__(self, root: Path = FEEDS, slow: float = 5.0, host: str = "127.0.0.1") -> None:
        self.root = root
        self.slow = slow
        self.requests: list[Seen] = []
        self.flaky: dict[str, int] = {}
        self.extra: dict[str, tuple[bytes, str]] = {}
        self.lock = threading.Lock()
        self.closing = threading.Event()
        server_class = _IPv6Server if ":" in host else ThreadingHTTPServer
        self.httpd = server_class((host, 0), _handler(self))
        self.httpd.daemon_threads = True
        self.httpd.block_on_close = False
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    def put(self, path: str, body: str | bytes, kind: str = "application/rss+xml") -> str:
        """Serves `body` at `path` (`{{BASE}}` replaced); returns its URL."""
        data = body.encode() if isinstance(body, str) else body
        self.extra[path] = (data.replace(b"{{BASE}}", self.base.encode()), kind)
        return self.url(path)

    def url(self, path: str) -> str:
        return self.base + path

    def seen(self, prefix: str) -> list[Seen]:
        """The requests whose path starts with `prefix`."""
        with self.lock:
            return [r for r in self.requests if r.path.startswith(prefix)]

    def body(self, relative: str) -> bytes | None:
        path = (self.root / relative).resolve()
        if self.root.resolve() not in path.parents or not path.is_file():
            return None
        data = path.read_bytes()
        if path.suffix in TEXT_SUFFIXES:
            data = data.replace(b"{{BASE}}", self.base.encode())
        return data

    def __enter__(self) -> FeedServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.closing.set()  # wakes the slow handlers
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


class _IPv6Server(ThreadingHTTPServer):
    address_family = socket.AF_INET6


def _handler(server: FeedServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet tests

        def do_GET(self) -> None:
            headers = {k.lower(): v for k, v in self.headers.items()}
            with server.lock:
                server.requests.append(Seen(self.path, headers))
            parts = urlsplit(self.path)
            self.route(parts.path, parse_qs(parts.query), headers)

        def route(self, path: str, query: dict, headers: dict[str, str]) -> None:
            if path in server.extra:
                body, kind = server.extra[path]
                return self.send(200, body, kind)
            if path == "/goto":
                return self.redirect(302, query["url"][0])
            if path.startswith("/feeds/"):
                return self.feed(path.removeprefix("/feeds/"), headers, validators=True)
            if path.startswith("/plain/"):
                return self.feed(path.removeprefix("/plain/"), headers, validators=False)
            if path.startswith(("/pages/", "/files/")):
                return self.file(path.lstrip("/"))
            if path.startswith("/redirect/"):
                count, _, rest = path.removeprefix("/redirect/").partition("/")
                n = int(count)
                if n > 1:  # an absolute Location, then a host-relative one
                    return self.redirect(301, server.url(f"/redirect/{n - 1}/{rest}"))
                return self.redirect(302, f"/{rest}")
            if path == "/loop/a":
                return self.redirect(302, "/loop/b")
            if path == "/loop/b":
                return self.redirect(301, server.url("/loop/a"))
            if path.startswith("/slow/"):
                server.closing.wait(server.slow)
                return self.route(path.removeprefix("/slow"), query, headers)
            if path == "/big":
                return self.big()
            if path == "/big-declared":
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", "10000000")
                self.end_headers()
                return self.wfile.write(b"<html>" + b" " * 1000)
            if path.startswith("/status/"):
                return self.status(int(path.removeprefix("/status/")), query)
            if path.startswith("/flaky/"):
                key = self.path
                with server.lock:
                    server.flaky[key] = server.flaky.get(key, 0) + 1
                    count = server.flaky[key]
                if count <= int(query.get("times", ["1"])[0]):
                    return self.status(int(query.get("code", ["429"])[0]), query)
                return self.route(path.removeprefix("/flaky"), query, headers)
            return self.status(404, {})

        def feed(self, name: str, headers: dict[str, str], validators: bool) -> None:
            body = server.body(name)
            if body is None:
                return self.status(404, {})
            etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
            if validators and _matches(headers, etag):
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return None
            extra = {"ETag": etag, "Last-Modified": LAST_MODIFIED} if validators else {}
            return self.send(200, body, "application/rss+xml; charset=utf-8", extra)

        def file(self, relative: str) -> None:
            body = server.body(relative)
            if body is None:
                return self.status(404, {})
            kind = mimetypes.guess_type(relative)[0] or "application/octet-stream"
            if kind == "text/html":
                kind = "text/html; charset=utf-8"
            return self.send(200, body, kind)

        def redirect(self, code: int, location: str) -> None:
            self.send_response(code)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def big(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()  # no length: HTTP/1.0, the body ends when the server closes
            chunk = b"<p>" + b"x" * 65533 + b"\n"
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                for _ in range(32):  # 2 MiB; the client stops reading, as it should
                    self.wfile.write(chunk)

        def status(self, code: int, query: dict) -> None:
            extra = {}
            if "retry_after" in query:
                extra["Retry-After"] = query["retry_after"][0]
            self.send(code, f"status {code}\n".encode(), "text/plain", extra)

        def send(
            self, code: int, body: bytes, kind: str, extra: dict[str, str] | None = None
        ) -> None:
            self.send_response(code)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            for name, value in (extra or {}).items():
                self.send_header(name, value)
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(body)  # a client that gave up early

    return Handler


def _matches(headers: dict[str, str], etag: str) -> bool:
    """RFC 9110: If-None-Match wins over If-Modified-Since."""
    if "if-none-match" in headers:
        return etag in [t.strip() for t in headers["if-none-match"].split(",")]
    if "if-modified-since" in headers:
        try:
            since = parsedate_to_datetime(headers["if-modified-since"])
        except (TypeError, ValueError):
            return False
        return since >= parsedate_to_datetime(LAST_MODIFIED)
    return False
