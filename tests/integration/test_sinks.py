"""`newsmon deliver` end to end: the embedded broker, a real worker, a `newsmon deliver`
subprocess and real HTTP receivers on loopback (tests/sinks/receiver.py). No mocks.

The reference article gives four alerts (two visits, two allegations)."""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from streams.broker import free_port, stop_process

from ..sinks.receiver import Receiver, Reply
from ..test_stream_logic import load_schema
from .conftest import NEWSMON
from .test_pipeline import CORPUS, REFERENCE_ARTICLE, signature, write_jsonl

pytestmark = pytest.mark.integration

SECRET = "integration-shared-secret"
READY = "newsmon deliver ready"


class Deliver:
    """One `newsmon deliver` subprocess, its stderr in a log file."""

    def __init__(self, env: dict[str, str], config: Path, log: Path, *extra: str) -> None:
        self.log = log
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                [*NEWSMON, "deliver", "--config", str(config), *extra],
                env={**env, "SINK_SECRET": SECRET},
                cwd=env["PYTHONPATH"],
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def wait_ready(self, timeout: float = 60.0) -> None:
        until(lambda: READY in self.output(), timeout, "deliver ready", self)

    def stop(self) -> int:
        return stop_process(self.process, 60.0)

    def totals(self) -> dict[str, dict[str, int]]:
        """`sink NAME: 4 delivered, 3 retried, ...` lines printed at the end."""
        found = {}
        for name, figures in re.findall(r"^sink (\S+): (\d+ delivered.*)$", self.output(), re.M):
            found[name] = {what: int(n) for n, what in re.findall(r"(\d+) (\w+)", figures)}
        return found


def until(check: Callable[[], object], timeout: float, what: str, deliver=None) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if deliver is not None:
            assert deliver.process.poll() is None, f"deliver died:\n{deliver.output()[-3000:]}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}" + (
            f"\n{deliver.output()[-3000:]}" if deliver is not None else ""
        )
        time.sleep(0.2)


def sinks_toml(path: Path, *sinks: dict) -> Path:
    lines = []
    for sink in sinks:
        lines.append("[[sink]]")
        lines += [f"{key} = {json.dumps(value)}" for key, value in sink.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def webhook(name: str, receiver: Receiver, **more: object) -> dict:
    fast = {"backoff": 0.2, "max_backoff": 1.0, "timeout": 2.0}
    return {"name": name, "type": "webhook", "url": receiver.url + f"/{name}",
            "secret_env": "SINK_SECRET", **fast, **more}  # fmt: skip


def verifies(raw: bytes, header: str) -> bool:
    expected = "sha256=" + hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


@pytest.fixture
def receivers() -> Iterator[Callable[[], Receiver]]:
    opened: list[Receiver] = []

    def make() -> Receiver:
        opened.append(Receiver())
        return opened[-1]

    yield make
    for r in opened:
        r.close()


@pytest.fixture
def publish_reference(tmp_path, newsmon) -> Callable[[], None]:
    def publish() -> None:
        path = write_jsonl(tmp_path / "reference.jsonl", REFERENCE_ARTICLE)
        result = newsmon("publish", str(path))
        assert result.returncode == 0, result.stderr

    return publish


def figures(name: str, receiver: Receiver, totals: dict) -> str:
    mine = totals.get(name, {})
    line = (
        f"sink {name}: {len(set(receiver.keys(200)))} alerts received, "
        f"{len(receiver.received())} requests, {mine.get('delivered', 0)} delivered, "
        f"{mine.get('retried', 0)} retried, {mine.get('failed', 0)} dead-lettered, "
        f"{mine.get('filtered', 0)} filtered"
    )
    print(line)
    return line


def test_signed_retried_dead_lettered_and_filtered(
    tmp_path, env, settings, start_worker, read_topic, wait_drained, receivers, publish_reference
):
    signed, flaky, rejecting, chat = receivers(), receivers(), receivers(), receivers()
    flaky.per_key(500, 500, 500)  # each alert: three 500s, then 200
    rejecting.default = Reply(400)
    config = sinks_toml(
        tmp_path / "sinks.toml",
        webhook("signed", signed),
        webhook("flaky", flaky, max_attempts=6),
        webhook("rejecting", rejecting, max_attempts=6),
        {"name": "prk-visits", "type": "chat", "url": chat.url + "/chat",
         "kinds": ["leader_visit"], "countries": ["PRK"], "statuses": ["ongoing", "planned"]},
    )  # fmt: skip
    port = free_port()
    deliver = Deliver(env, config, tmp_path / "deliver.log", "--metrics-port", str(port))
    worker = start_worker()
    deliver.wait_ready()
    publish_reference()
    wait_drained([worker])
    alerts = read_topic()
    assert len(alerts) == 4
    ids = {a["alert_id"] for a in alerts}

    until(lambda: set(signed.keys(200)) == ids, 60, "signed deliveries", deliver)
    until(lambda: set(flaky.keys(200)) == ids, 60, "flaky deliveries", deliver)
    until(lambda: len(rejecting.received()) == 4, 60, "rejections", deliver)
    dlq = f"{settings.alerts_topic}.sink.rejecting.dlq"
    letters: list = []

    def dead_letters() -> bool:
        letters[:] = read_topic("--topic", dlq, idle=1.0)
        return len(letters) >= 4

    until(dead_letters, 60, "dead letters", deliver)
    until(lambda: len(chat.received()) >= 1, 60, "chat", deliver)
    scraped = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    time.sleep(2)  # nothing more should come
    assert deliver.stop() == 0, deliver.output()[-3000:]
    totals = deliver.totals()

    # signed: each alert once, its body the alert, its signature verifies
    assert sorted(signed.keys()) == sorted(ids)
    by_id = {a["alert_id"]: a for a in alerts}
    for request in signed.received():
        assert verifies(request.body, request.headers["x-newsmon-signature"])
        assert json.loads(request.body) == by_id[request.key]
        assert request.headers["content-type"] == "application/json"
    assert SECRET not in deliver.output()

    # flaky: three 500s then a 200 per alert, every try with the alert's own key
    assert Counter(flaky.keys()) == dict.fromkeys(ids, 4)
    for key in ids:
        answers = [r.status for r in flaky.received() if r.key == key]
        assert answers == [500, 500, 500, 200]
        assert all(verifies(r.body, r.headers["x-newsmon-signature"]) for r in flaky.received())

    # rejecting: a 400 is permanent: one try, then the sink's dead letters
    assert sorted(rejecting.keys()) == sorted(ids)
    validate = load_schema("sink-dead-letter.v1.json")
    for letter in letters:
        validate(letter)
        assert (letter["sink"], letter["reason"], letter["attempts"], letter["last_status"]) == (
            "rejecting", "rejected", 1, 400,
        )  # fmt: skip
        assert letter["alert"] == by_id[letter["alert_id"]]
    assert sorted(x["alert_id"] for x in letters) == sorted(ids)

    # filtered: the one ongoing visit to PRK, as a chat line
    (line,) = chat.received()
    text = json.loads(line.body)["text"]
    prk = [a for a in alerts if signature(a["event"]) == ("visit", "RUS", "PRK", "ongoing")]
    assert line.key == prk[0]["alert_id"]
    assert "Vladimir Putin (RUS) → PRK" in text and "[ongoing" in text, text

    assert totals["signed"] == {"delivered": 4, "retried": 0, "failed": 0, "filtered": 0}
    assert totals["flaky"] == {"delivered": 4, "retried": 12, "failed": 0, "filtered": 0}
    assert totals["rejecting"] == {"delivered": 0, "retried": 0, "failed": 4, "filtered": 0}
    assert totals["prk-visits"] == {"delivered": 1, "retried": 0, "failed": 0, "filtered": 3}
    assert 'newsmon_sink_delivered_total{sink="flaky"} 4.0' in scraped
    assert 'newsmon_sink_retried_total{sink="flaky"} 12.0' in scraped
    assert 'newsmon_sink_failed_total{sink="rejecting"} 4.0' in scraped
    assert 'newsmon_sink_up{sink="signed"} 1.0' in scraped
    assert 'newsmon_sink_delivery_seconds_count{sink="flaky"} 4.0' in scraped
    for name, receiver in (("signed", signed), ("flaky", flaky), ("rejecting", rejecting),
                           ("prk-visits", chat)):  # fmt: skip
        figures(name, receiver, totals)


def test_a_receiver_down_for_30_s_loses_nothing_across_a_restart(
    tmp_path, env, settings, start_worker, read_topic, wait_drained, receivers, publish_reference
):
    """Down for 30 s: refused connections are retried; `newsmon deliver` is stopped
    (SIGTERM) and started again meanwhile: what it had not delivered was not committed."""
    receiver = receivers()
    config = sinks_toml(
        tmp_path / "sinks.toml", webhook("ops", receiver, max_backoff=4.0, max_attempts=40)
    )
    worker = start_worker()
    first = Deliver(env, config, tmp_path / "deliver-1.log")
    first.wait_ready()
    receiver.down(30)
    went_down = time.monotonic()
    publish_reference()
    wait_drained([worker])
    alerts = read_topic()
    assert len(alerts) == 4
    until(lambda: first.output().count("connection_error") >= 2, 60, "refused tries", first)
    assert first.stop() == 0, first.output()[-3000:]
    assert receiver.received() == []
    second = Deliver(env, config, tmp_path / "deliver-2.log")
    ids = {a["alert_id"] for a in alerts}
    until(lambda: set(receiver.keys(200)) == ids, 120, "deliveries after the outage", second)
    back_after = min(r.at for r in receiver.received()) - went_down
    time.sleep(2)
    assert second.stop() == 0, second.output()[-3000:]
    assert back_after >= 29.0
    assert sorted(set(receiver.keys())) == sorted(ids)
    dlq = f"{settings.alerts_topic}.sink.ops.dlq"
    assert read_topic("--topic", dlq, idle=1.0) == []
    first_totals, second_totals = first.totals()["ops"], second.totals()["ops"]
    assert first_totals["delivered"] == 0 and first_totals["failed"] == 0
    assert second_totals["delivered"] == 4 and second_totals["failed"] == 0
    retried = first_totals["retried"] + second_totals["retried"]
    print(
        f"receiver down 30 s, deliver restarted: {len(set(receiver.keys(200)))} of 4 alerts "
        f"delivered, {len(receiver.received())} requests, {retried} retries, 0 lost, "
        f"first delivery {back_after:.1f} s after the outage began"
    )


def test_the_worker_keeps_extracting_while_the_endpoint_hangs(
    tmp_path, env, settings, newsmon, start_worker, read_topic, wait_drained, receivers,
    publish_reference,
):  # fmt: skip
    receiver = receivers()
    receiver.hang()
    config = sinks_toml(
        tmp_path / "sinks.toml",
        webhook("slow", receiver, timeout=1.0, max_attempts=1000, max_backoff=1.0),
    )
    worker = start_worker()
    deliver = Deliver(env, config, tmp_path / "deliver.log")
    deliver.wait_ready()
    publish_reference()
    until(lambda: receiver.received(), 60, "a first (hung) request", deliver)
    published = newsmon("publish", str(CORPUS / "dev_a.jsonl"), str(CORPUS / "dev_b.jsonl"))
    assert published.returncode == 0, published.stderr
    started = time.monotonic()
    wait_drained([worker])  # the articles and events backlog drains meanwhile
    drained_in = time.monotonic() - started
    alerts = read_topic()
    assert len(alerts) > 4
    assert receiver.keys(200) == [] and deliver.process.poll() is None
    hung = len(receiver.received())

    receiver.release()  # answers again: the sink catches up
    ids = {a["alert_id"] for a in alerts}
    until(lambda: set(receiver.keys(200)) == ids, 300, "deliveries after the hang", deliver)
    time.sleep(2)
    assert deliver.stop() == 0, deliver.output()[-3000:]
    totals = deliver.totals()["slow"]
    assert totals["delivered"] == len(ids) and totals["failed"] == 0
    assert Counter(receiver.keys(200)) == dict.fromkeys(ids, 1)
    print(
        f"endpoint hanging: {len(alerts)} alerts extracted, backlog drained in "
        f"{drained_in:.1f} s with {hung} requests held; after release {totals['delivered']} "
        f"delivered, {totals['retried']} retries, 0 lost"
    )
