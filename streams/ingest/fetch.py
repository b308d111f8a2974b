"""HTTP for feeds and pages (httpx): conditional requests (ETag, Last-Modified), a bounded
number of redirects followed by hand (loops caught), a size cap enforced while streaming,
one deadline for the whole request, a content-type check for pages, and backoff: retries
of refused connections, 5xx and 429 with doubling delays, `Retry-After` honoured (and
remembered per host, so the next request to that host waits too). Connections go only
to public addresses, or those `NEWSMON_INGEST_ALLOW_HOSTS` allows (`guard.py`): for the
URL asked for and every redirect hop (`blocked_address`, nothing sent). Proxies named in
the environment are not used: through a proxy, that check could not be made.

Every failure is a `FetchError` whose `reason` is one of `REASONS`."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import httpx

from .config import IngestSettings
from .guard import BlockedAddress, GuardedTransport

REASONS = (
    "timeout",
    "too_large",
    "too_many_redirects",
    "rate_limited",
    "server_error",
    "http_error",
    "connection_error",
    "bad_url",
    "bad_response",
    "not_html",
    "blocked_address",
)
# worth trying again later (the next poll); the others will not change by waiting
TRANSIENT = frozenset({"timeout", "rate_limited", "server_error", "connection_error"})
# worth retrying at once within one fetch, after a delay
RETRYABLE = frozenset({"rate_limited", "server_error", "connection_error"})
REDIRECTS = frozenset({301, 302, 303, 307, 308})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", ""})
FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, "
    "text/xml;q=0.9, */*;q=0.1"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
CHUNK = 64 * 1024


class FetchError(Exception):
    def __init__(
        self,
        reason: str,
        detail: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.status = status
        self.retry_after = retry_after

    @property
    def transient(self) -> bool:
        return self.reason in TRANSIENT


@dataclass(frozen=True)
class Response:
    url: str  # after redirects
    status: int  # 2xx, or 304 (not modified: no content)
    content: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)  # lower-case names
    redirects: int = 0

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for param in self.headers.get("content-type", "").split(";")[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")
        return None

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")


def retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from a `Retry-After` header: delta-seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - now())


def _check_url(url: str) -> None:
    """FetchError `bad_url` unless `url` is http(s) with a host and a port that is one."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 (ValueError when out of range or not a number)
    except ValueError as exc:
        raise FetchError("bad_url", f"{url}: {exc}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise FetchError("bad_url", f"not an http(s) URL with a host: {url}")


class Fetcher:
    """One HTTP client for a whole ingest run. `sleep` and `clock` are injectable so
    tests can check the backoff without waiting for it; `transport` replaces the guarded
    one (`guard.GuardedTransport` with the settings' allow-list) only in tests."""

    def __init__(
        self,
        settings: IngestSettings,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.sleep = sleep
        self.clock = clock
        self.blocked_until: dict[str, float] = {}  # host -> clock() time
        self.client = httpx.Client(
            headers={"User-Agent": settings.user_agent},
            follow_redirects=False,
            timeout=settings.timeout,
            transport=transport or GuardedTransport(settings.allow_list),
            trust_env=False,  # no proxies from the environment: they would connect for us
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
        html_only: bool = False,
    ) -> Response:
        """GET `url`: a 2xx response with its body, or a 304 when the validators match;
        anything else raises FetchError. Retries what is worth retrying, waiting as told."""
        _check_url(url)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if accept:
            headers["Accept"] = accept
        attempt = 0
        while True:
            try:
                self._wait_for_host(url)
                return self._fetch_once(url, headers, html_only)
            except FetchError as exc:
                if exc.reason not in RETRYABLE or attempt >= self.settings.retries:
                    raise
                attempt += 1
                if exc.retry_after is None:  # else `_wait_for_host` waits as told
                    delay = self.settings.backoff * 2 ** (attempt - 1)
                    if delay > self.settings.max_retry_wait:
                        raise
                    self.sleep(delay)

    def _wait_for_host(self, url: str) -> None:
        host = urlsplit(url).netloc.lower()
        wait = self.blocked_until.get(host, 0.0) - self.clock()
        if wait <= 0:
            return
        if wait > self.settings.max_retry_wait:
            raise FetchError("rate_limited", f"{host} asked to wait {wait:.0f} s", retry_after=wait)
        self.sleep(wait)

    def _block_host(self, url: str, seconds: float) -> None:
        host = urlsplit(url).netloc.lower()
        until = self.clock() + seconds
        self.blocked_until[host] = max(until, self.blocked_until.get(host, 0.0))

    def _fetch_once(self, url: str, headers: dict[str, str], html_only: bool) -> Response:
        deadline = self.clock() + self.settings.timeout
        seen = {url}
        current = url
        for hops in range(self.settings.max_redirects + 1):
            _check_url(current)
            remaining = deadline - self.clock()
            if remaining <= 0:
                raise FetchError("timeout", f"over {self.settings.timeout:g} s")
            try:
                with self.client.stream(
                    "GET", current, headers=headers, timeout=remaining
                ) as response:
                    if response.status_code in REDIRECTS:
                        current = self._next_hop(response, seen)
                        continue
                    return self._finish(response, hops, deadline, html_only)
            except BlockedAddress as exc:
                raise FetchError("blocked_address", f"{current}: {exc}") from None
            except httpx.TimeoutException as exc:
                raise FetchError("timeout", f"{current}: {type(exc).__name__}") from None
            except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
                raise FetchError("bad_url", f"{current}: {exc}") from None
            except httpx.DecodingError as exc:
                raise FetchError("bad_response", f"{current}: {exc}") from None
            except httpx.TransportError as exc:
                raise FetchError("connection_error", f"{current}: {exc}") from None
            except httpx.HTTPError as exc:
                raise FetchError("bad_response", f"{current}: {exc}") from None
        raise FetchError(
            "too_many_redirects", f"more than {self.settings.max_redirects} from {url}"
        )

    def _next_hop(self, response: httpx.Response, seen: set[str]) -> str:
        location = response.headers.get("location")
        if not location:
            raise FetchError(
                "bad_response",
                f"{response.status_code} without Location",
                status=response.status_code,
            )
        target = urljoin(str(response.url), location.strip())
        if urlsplit(target).scheme not in ("http", "https"):
            raise FetchError("bad_url", f"redirect to {target}")
        if target in seen:
            raise FetchError("too_many_redirects", f"redirect loop at {target}")
        seen.add(target)
        return target

    def _finish(
        self, response: httpx.Response, hops: int, deadline: float, html_only: bool
    ) -> Response:
        status = response.status_code
        url = str(response.url)
        headers = {k.lower(): v for k, v in response.headers.items()}
        if status == 304:
            return Response(url=url, status=304, headers=headers, redirects=hops)
        if status in (429, 503):
            wait = retry_after(headers.get("retry-after"))
            if wait is not None:
                self._block_host(url, wait)
            reason = "rate_limited" if status == 429 else "server_error"
            raise FetchError(reason, f"{status} from {url}", status=status, retry_after=wait)
        if status >= 500:
            raise FetchError("server_error", f"{status} from {url}", status=status)
        if not 200 <= status < 300:
            raise FetchError("http_error", f"{status} from {url}", status=status)
        if html_only:
            media = headers.get("content-type", "").split(";")[0].strip().lower()
            if media not in HTML_TYPES:
                raise FetchError("not_html", f"{media} at {url}", status=status)
        limit = self.settings.max_bytes
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError("too_large", f"{declared} bytes declared at {url}", status=status)
        body = bytearray()
        for chunk in response.iter_bytes(CHUNK):
            body.extend(chunk)
            if len(body) > limit:
                raise FetchError("too_large", f"over {limit} bytes at {url}", status=status)
            if self.clock() > deadline:
                raise FetchError("timeout", f"body of {url} over {self.settings.timeout:g} s")
        return Response(
            url=url, status=status, content=bytes(body), headers=headers, redirects=hops
        )
