"""Webhook body and signature, chat line, dead letters."""

from __future__ import annotations

import hashlib
import hmac
import json

import pytest

from streams.sinks import payloads
from streams.sinks.runner import request_for

from ..test_stream_logic import load_schema
from .alerts import allegation, visit

SECRET = b"shared-secret"


def receiver_verifies(raw: bytes, header: str, secret: bytes = SECRET) -> bool:
    """What a receiver does, written apart from the code under test."""
    expected = "sha256=" + hmac.new(secret, raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header)


def test_webhook_body_is_the_alert_and_the_signature_verifies():
    alert = visit()
    raw = payloads.body(alert)
    assert json.loads(raw) == alert
    headers = payloads.headers(raw, alert, SECRET)
    assert headers["Idempotency-Key"] == alert["alert_id"]
    assert headers["Content-Type"] == "application/json"
    signature = headers["X-Newsmon-Signature"]
    assert signature.startswith("sha256=") and len(signature) == 7 + 64
    assert receiver_verifies(raw, signature)
    assert payloads.verify(raw, SECRET, signature)
    # any other body, secret or header fails
    assert not receiver_verifies(raw + b" ", signature)
    assert not receiver_verifies(raw, signature, b"other-secret")
    assert not payloads.verify(raw, SECRET, None)
    assert not payloads.verify(raw, SECRET, signature[:-1] + "0")
    assert SECRET.decode() not in json.dumps(headers)


def test_no_secret_no_signature():
    raw = payloads.body(visit())
    assert "X-Newsmon-Signature" not in payloads.headers(raw, visit(), None)


def test_chat_line_has_the_event_status_sources_and_link():
    text = payloads.chat_text(visit())
    assert "\n" not in text
    assert (
        "President Vladimir Putin (RUS) → PRK (Pyongyang), meets Kim Jong Un [ongoing, Wednesday]"
        in text
    )
    assert "1 report(s): reference" in text
    assert text.endswith("| <https://wire.example/putin-pyongyang?a=1&amp;b=2>")
    line = payloads.chat_text(allegation())
    assert "sanctions: USA, KOR accuse PRK → RUS: arms" in line


def test_chat_line_for_a_status_change_and_many_sources():
    alert = visit(kind="status_changed", previous_status="planned", report_count=5)
    alert["sources"] = [{**alert["sources"][0], "outlet": f"outlet-{i}"} for i in range(5)]
    text = payloads.chat_text(alert)
    assert text.startswith("[newsmon] Status change visit:")
    assert "[planned → ongoing, Wednesday]" in text
    assert "5 report(s): outlet-0, outlet-1, outlet-2 +2" in text


def test_chat_line_escapes_and_stays_one_line():
    alert = visit()
    alert["event"]["visitor"]["name"] = "A <b>&\nB"
    alert["last_article"] = {**alert["last_article"], "url": "javascript:alert(1)"}
    alert["article"] = {**alert["article"], "url": None}
    text = payloads.chat_text(alert)
    assert "A &lt;b&gt;&amp; B" in text and "\n" not in text
    assert "<" not in text and "javascript" not in text


def test_chat_request_body_is_slack_compatible():
    from streams.sinks.config import SinkConfig

    sink = SinkConfig(name="c", type="chat", url="https://chat.example/hook")
    request = request_for(sink, visit())
    assert set(json.loads(request.body)) == {"text"}
    assert "X-Newsmon-Signature" not in request.headers
    signed = SinkConfig(name="c", type="chat", url="https://chat.example/hook", secret=SECRET)
    request = request_for(signed, visit())
    assert receiver_verifies(request.body, request.headers["X-Newsmon-Signature"])


@pytest.fixture(scope="module")
def validate_letter():
    return load_schema("sink-dead-letter.v1.json")


def test_dead_letters_follow_their_schema(validate_letter):
    source = {"topic": "newsmon.alerts", "partition": 1, "offset": 7, "timestamp": 1.5}
    letter = payloads.dead_letter(
        sink="ops", sink_type="webhook", reason="rejected", detail="permanent failure: HTTP 400",
        attempts=1, last_status=400, last_error="", alert=visit(), value=b"{}", source=source,
    )  # fmt: skip
    validate_letter(letter)
    assert letter["alert_id"] == visit()["alert_id"] and letter["value_b64"] is None
    raw = payloads.dead_letter(
        sink="ops", sink_type="chat", reason="not_an_alert", detail="not a JSON alert",
        attempts=0, last_status=None, last_error="", alert=None, value=b"\xff", source=source,
    )  # fmt: skip
    validate_letter(raw)
    assert raw["value_b64"] == "/w=="
    with pytest.raises(Exception, match="must be"):
        validate_letter({**letter, "reason": "bored"})
    with pytest.raises(Exception, match="must"):
        validate_letter({**letter, "alert": {"alert_id": "x"}})
