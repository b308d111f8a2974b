"""The retry policy against a real loopback receiver, with a fake clock: no real waits."""

from __future__ import annotations

import random
from email.utils import formatdate

import httpx
import pytest

from streams.sinks.deliver import (
    DELIVERED,
    EXHAUSTED,
    REJECTED,
    STOPPED,
    Request,
    RetryPolicy,
    deliver,
)

from .receiver import Receiver, Reply

POLICY = RetryPolicy(max_attempts=6, backoff=1.0, max_backoff=8.0, jitter=0.5, timeout=2.0)


class FakeTime:
    """`clock` and `sleep` for `deliver`: sleeping moves the clock, instantly."""

    def __init__(self) -> None:
        self.now = 0.0
        self.waits: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> bool:
        self.waits.append(seconds)
        self.now += seconds
        return True


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running


@pytest.fixture
def client():
    with httpx.Client(trust_env=False) as c:
        yield c


def send(client, receiver, policy=POLICY, draw=random.random, time=None, sleep=None):
    time = time or FakeTime()
    request = Request(receiver.url + "/hook", b'{"a":1}', {"Idempotency-Key": "k-1"})
    outcome = deliver(
        client, request, policy, sleep=sleep or time.sleep, clock=time.clock, draw=draw
    )
    return outcome, time


def test_delivered_at_once(client, receiver):
    outcome, time = send(client, receiver)
    assert (outcome.result, outcome.attempts, outcome.last_status) == (DELIVERED, 1, 200)
    assert time.waits == [] and outcome.retries == 0
    (seen,) = receiver.received()
    assert seen.body == b'{"a":1}' and seen.key == "k-1" and seen.path == "/hook"


def test_5xx_is_retried_with_growing_bounded_pauses_and_the_same_key(client, receiver):
    receiver.script(500, 502, 503, 500)
    outcome, time = send(client, receiver)
    assert (outcome.result, outcome.attempts, outcome.retries) == (DELIVERED, 5, 4)
    assert receiver.keys() == ["k-1"] * 5
    assert [r.headers["x-newsmon-attempt"] for r in receiver.received()] == [
        "1",
        "2",
        "3",
        "4",
        "5",
    ]
    assert len(time.waits) == 4
    for retry, wait in enumerate(time.waits, 1):
        base = min(8.0, 2.0 ** (retry - 1))
        assert base * 0.5 <= wait <= base  # jitter takes at most half
    assert time.waits == sorted(time.waits)  # grows whatever the draws
    assert outcome.seconds == pytest.approx(sum(time.waits))


def test_pauses_grow_to_the_cap_whatever_the_draws():
    """Doubling with at most half taken off: each pause at least the one before, up to
    the pause that reaches `max_backoff` (8 s: the 4th); from there within [4, 8] s."""
    for draws in ([0.0] * 12, [0.999] * 12, [random.random() for _ in range(12)]):
        waits = [POLICY.pause(n, d) for n, d in enumerate(draws, 1)]
        assert waits[:4] == sorted(waits[:4]), waits
        for n, wait in enumerate(waits, 1):
            base = min(POLICY.max_backoff, POLICY.backoff * 2 ** (n - 1))
            assert base * (1 - POLICY.jitter) <= wait <= base
        assert all(4.0 <= w <= 8.0 for w in waits[3:])
    no_jitter = RetryPolicy(backoff=0.5, max_backoff=100, jitter=0)
    assert [no_jitter.pause(n, 0.7) for n in range(1, 6)] == [0.5, 1, 2, 4, 8]


@pytest.mark.parametrize("status", [408, 429, 500, 502, 503, 504])
def test_retried_statuses(client, receiver, status):
    receiver.script(status)
    outcome, time = send(client, receiver)
    assert (outcome.result, outcome.attempts) == (DELIVERED, 2)
    assert len(time.waits) == 1


@pytest.mark.parametrize("status", [400, 401, 403, 404, 409, 410, 422, 301, 302])
def test_other_statuses_are_permanent(client, receiver, status):
    receiver.script(status)
    outcome, time = send(client, receiver)
    assert (outcome.result, outcome.attempts, outcome.last_status) == (REJECTED, 1, status)
    assert time.waits == [] and len(receiver.received()) == 1
    assert outcome.reason == f"permanent failure: HTTP {status}"


def test_retry_after_seconds_is_honoured(client, receiver):
    receiver.script(Reply(429, retry_after="7"), Reply(503, retry_after="0"))
    outcome, time = send(client, receiver, draw=lambda: 0.0)
    assert outcome.result == DELIVERED
    assert time.waits[0] == 7.0  # more than the backoff's 1 s
    assert time.waits[1] == 2.0  # a shorter Retry-After does not cut the backoff


def test_retry_after_date_is_honoured_and_capped(client, receiver):
    import time as real_time

    receiver.script(Reply(503, retry_after=formatdate(real_time.time() + 30, usegmt=True)))
    outcome, time = send(client, receiver, draw=lambda: 0.0)
    assert outcome.result == DELIVERED and 25 <= time.waits[0] <= 31
    receiver.script(Reply(429, retry_after="86400"))
    capped = RetryPolicy(max_attempts=3, max_retry_wait=60.0)
    outcome, time = send(client, receiver, policy=capped, draw=lambda: 0.0)
    assert outcome.result == DELIVERED and time.waits == [60.0]


def test_timeouts_and_refused_connections_are_retried(client, receiver):
    receiver.script(Reply(200, delay=1.0))  # answers after the client's timeout
    quick = RetryPolicy(max_attempts=3, timeout=0.2)
    outcome, _ = send(client, receiver, policy=quick)
    assert (outcome.result, outcome.attempts) == (DELIVERED, 2)

    receiver.down(3600)
    outcome, time = send(client, receiver, policy=quick)
    assert (outcome.result, outcome.attempts, outcome.last_status) == (EXHAUSTED, 3, None)
    assert outcome.last_error.startswith("connection_error")
    assert outcome.reason.startswith("gave up after 3 attempt(s), the last: connection_error")
    assert len(time.waits) == 2


def test_out_of_attempts(client, receiver):
    receiver.default = Reply(503)
    outcome, time = send(client, receiver, policy=RetryPolicy(max_attempts=4))
    assert (outcome.result, outcome.attempts, outcome.last_status) == (EXHAUSTED, 4, 503)
    assert len(receiver.received()) == 4 and len(time.waits) == 3
    assert outcome.reason == "gave up after 4 attempt(s), the last: HTTP 503"


def test_a_stop_during_a_pause_ends_without_an_outcome(client, receiver):
    receiver.default = Reply(500)
    outcome, _ = send(client, receiver, sleep=lambda seconds: False)
    assert (outcome.result, outcome.attempts) == (STOPPED, 1)
    assert len(receiver.received()) == 1


def test_receiver_down_then_back(client, receiver):
    """The receiver itself: closed, refused, then open again on the same port."""
    port = receiver.port
    receiver.down(0.5)
    with pytest.raises(httpx.ConnectError):
        client.post(receiver.url, content=b"x")
    import time as real_time

    real_time.sleep(1.0)
    assert receiver.port == port
    assert client.post(receiver.url, content=b"x").status_code == 200
