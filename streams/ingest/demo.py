"""`newsmon demo --feeds`: the whole chain from feed to alert on this machine. The bundled
demo feeds (`data/demo/`, an RSS and an Atom feed with their article pages, written for
the project) are served on a loopback port, the embedded broker and a worker start, one
ingest pass publishes the feeds' items (its allow-list holds the site's loopback address,
and nothing else), and every alert is printed as it arrives.
Everything it starts, it stops."""

from __future__ import annotations

import mimetypes
import shutil
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from rich.console import Console

from ..broker import EmbeddedBroker, free_port
from ..demo import run_worker, summary_table
from ..settings import Settings
from .command import poll_line, status_table
from .config import FeedConfig, IngestSettings
from .fetch import Fetcher
from .ingest import FeedReport, Ingestor, KafkaPublisher
from .state import State

DEMO = Path(__file__).with_name("data") / "demo"
FEEDS = ("world.xml", "asia.xml")
TYPES = {".xml": "application/xml; charset=utf-8", ".html": "text/html; charset=utf-8"}


class LocalSite:
    """Serves a folder on 127.0.0.1 (any free port), `{{BASE}}` in its files replaced by
    the site's own address."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                body = site.body(self.path.split("?", 1)[0].lstrip("/"))
                if body is None:
                    self.send_error(404)
                    return
                suffix = Path(self.path.split("?", 1)[0]).suffix
                kind = TYPES.get(suffix) or mimetypes.guess_type(self.path)[0] or "text/plain"
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )

    @property
    def address(self) -> str:
        return self.httpd.server_address[0]

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def url(self, path: str) -> str:
        return f"{self.base}/{path.lstrip('/')}"

    def body(self, relative: str) -> bytes | None:
        path = (self.root / relative).resolve()
        if self.root not in path.parents or not path.is_file():
            return None
        return path.read_bytes().replace(b"{{BASE}}", self.base.encode())

    def __enter__(self) -> LocalSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=10)


def ingest_settings_for(site: LocalSite, state_dir: Path) -> IngestSettings:
    """The environment's ingest settings, with the demo's state directory and an
    allow-list of exactly the local site's address (loopback is refused otherwise)."""
    return IngestSettings.from_env(state_dir=str(state_dir), allow_hosts=site.address)


def run_feed_demo(timeout: float, console: Console) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="newsmon-feeds-demo-"))
    with LocalSite(DEMO) as site, EmbeddedBroker(port=0, log=workdir / "broker.log") as broker:
        settings = Settings.from_env(
            broker=broker.url,
            broker_profile="embedded",
            data_dir=str(workdir / "data"),
            metrics_port=free_port(),
        )
        ingest_settings = ingest_settings_for(site, workdir / "ingest-state")
        feeds = [FeedConfig(url=site.url(name)) for name in FEEDS]
        console.print(f"broker: tansu on {broker.bootstrap} (in memory)")
        console.print(f"feeds: {', '.join(f.url for f in feeds)}", highlight=False)
        reports: list[FeedReport] = []

        def ingest_once() -> None:
            publisher = KafkaPublisher(settings)
            try:
                with State(ingest_settings.state_dir) as state, Fetcher(ingest_settings) as web:
                    ingestor = Ingestor(ingest_settings, state, publisher, web)
                    reports.extend(
                        ingestor.run_once(
                            feeds,
                            on_report=lambda r: console.print(poll_line(r), highlight=False),
                        )
                    )
            finally:
                publisher.close()
            console.print(status_table(reports))

        outcome = run_worker(settings, workdir, ingest_once, timeout, console)
    if outcome is None:
        return 1
    shutil.rmtree(workdir, ignore_errors=True)
    alerts, updates = outcome
    console.print(summary_table(alerts, updates))
    published = sum(r.published for r in reports)
    console.print(f"{published} articles from {len(feeds)} feeds, {len(alerts)} alerts")
    return 0
