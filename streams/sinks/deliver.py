"""One alert to one endpoint over HTTP, with the retry policy. No Kafka: the caller gives
the `httpx.Client`, the clock, the random source and the `sleep` (which may be cut short
by a stop), so tests run it with a fake clock in no time.

- 2xx: delivered.
- a timeout, a connection error (refused, reset, a broken answer), 408, 429 and 5xx:
  tried again after a pause that doubles from `backoff` up to `max_backoff`, less up to
  `jitter` of it at random (with `jitter` <= 0.5 each pause is at least the one before
  until `max_backoff` is reached);
  a `Retry-After` (seconds or an HTTP date) is waited at least, up to `max_retry_wait`.
- any other status (a 4xx, a 3xx: redirects are not followed): permanent, not retried.
- after `max_attempts` tries: given up (the caller dead-letters it).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from ..ingest.fetch import retry_after

RETRIED_STATUSES = frozenset({408, 429})
# outcomes of `deliver`
DELIVERED, REJECTED, EXHAUSTED, STOPPED = "delivered", "rejected", "attempts_exhausted", "stopped"


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    backoff: float = 1.0
    max_backoff: float = 300.0
    jitter: float = 0.5
    timeout: float = 10.0
    max_retry_wait: float = 600.0

    def pause(self, retry: int, draw: float, asked: float | None = None) -> float:
        """Seconds to wait before retry number `retry` (1: the second attempt); `draw` in
        [0, 1) is the random draw of the jitter, `asked` the server's `Retry-After`."""
        base = min(self.max_backoff, self.backoff * 2.0 ** min(retry - 1, 60))
        wait = base * (1.0 - self.jitter * draw)
        if asked is not None:
            wait = max(wait, min(asked, self.max_retry_wait))
        return wait


@dataclass(frozen=True)
class Request:
    url: str
    body: bytes
    headers: dict[str, str]


@dataclass
class Attempt:
    """One try: its status (None when no answer came) or what went wrong."""

    number: int
    status: int | None = None
    error: str = ""  # timeout, connection_error: no status
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def retryable(self) -> bool:
        if self.status is None:
            return True
        return self.status in RETRIED_STATUSES or 500 <= self.status < 600


@dataclass
class Outcome:
    result: str  # DELIVERED, REJECTED, EXHAUSTED or STOPPED
    attempts: int
    last_status: int | None
    last_error: str
    seconds: float  # from the first try to the outcome

    @property
    def retries(self) -> int:
        return max(0, self.attempts - 1)

    @property
    def reason(self) -> str:
        """Why it was not delivered, for the dead letter (one line)."""
        last = f"HTTP {self.last_status}" if self.last_status is not None else self.last_error
        if self.result == REJECTED:
            return f"permanent failure: {last}"
        return f"gave up after {self.attempts} attempt(s), the last: {last}"


def attempt(client: httpx.Client, request: Request, number: int, timeout: float) -> Attempt:
    """One POST; the response body is not read (only its status and headers count)."""
    try:
        built = client.build_request(
            "POST", request.url, content=request.body, headers=request.headers, timeout=timeout
        )
        built.headers["X-Newsmon-Attempt"] = str(number)
        response = client.send(built, stream=True, follow_redirects=False)
    except httpx.TimeoutException:
        return Attempt(number, error="timeout")
    except httpx.TransportError as exc:
        return Attempt(number, error=f"connection_error ({type(exc).__name__})")
    try:
        return Attempt(number, response.status_code, retry_after=_retry_after(response))
    finally:
        response.close()


def _retry_after(response: httpx.Response) -> float | None:
    if response.status_code != 429 and response.status_code < 500:
        return None
    return retry_after(response.headers.get("retry-after"))


def deliver(
    client: httpx.Client,
    request: Request,
    policy: RetryPolicy,
    *,
    sleep: Callable[[float], bool],
    clock: Callable[[], float] = time.monotonic,
    draw: Callable[[], float] = random.random,
    on_attempt: Callable[[Attempt], None] | None = None,
) -> Outcome:
    """Tries until delivered, refused for good, out of attempts, or stopped (`sleep`
    returned False: the stop came during a pause; the alert is neither delivered nor
    dead-lettered, its offset stays uncommitted)."""
    started = clock()
    last = Attempt(0, error="not tried")
    for number in range(1, policy.max_attempts + 1):
        if number > 1:
            wait = policy.pause(number - 1, draw(), last.retry_after)
            if not sleep(wait):
                return _outcome(STOPPED, last, clock() - started)
        last = attempt(client, request, number, policy.timeout)
        if on_attempt is not None:
            on_attempt(last)
        if last.ok:
            return _outcome(DELIVERED, last, clock() - started)
        if not last.retryable:
            return _outcome(REJECTED, last, clock() - started)
    return _outcome(EXHAUSTED, last, clock() - started)


def _outcome(result: str, last: Attempt, seconds: float) -> Outcome:
    return Outcome(result, last.number, last.status, last.error, seconds)
