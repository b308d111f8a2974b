"""What a sink sends: pure, no I/O.

- webhook: the alert as compact JSON (UTF-8), signed: `X-Newsmon-Signature:
  sha256=<hex>` is the HMAC-SHA256 of those exact bytes with the sink's shared secret, and
  `Idempotency-Key` is the alert's `alert_id` (the same on every retry).
- chat: a Slack-compatible incoming-webhook body `{"text": "<one line>"}`: the event,
  its status, its sources and a link to the latest report.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
from datetime import UTC, datetime

from .. import __version__, kinds
from ..dlq import KEEP_BYTES

SIGNATURE_HEADER = "X-Newsmon-Signature"
IDEMPOTENCY_HEADER = "Idempotency-Key"
USER_AGENT = f"newsmon-deliver/{__version__}"
MAX_SOURCES = 3  # outlets named in a chat line; the rest are counted


def body(alert: dict) -> bytes:
    """The webhook body: the alert as compact JSON."""
    return json.dumps(alert, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def sign(raw: bytes, secret: bytes) -> str:
    """The signature header's value for `raw`: `sha256=<hex HMAC-SHA256>`."""
    return "sha256=" + hmac.new(secret, raw, hashlib.sha256).hexdigest()


def verify(raw: bytes, secret: bytes, header: str | None) -> bool:
    """What a receiver does: recompute and compare in constant time."""
    return header is not None and hmac.compare_digest(sign(raw, secret), header)


def headers(raw: bytes, alert: dict, secret: bytes | None) -> dict[str, str]:
    out = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        IDEMPOTENCY_HEADER: str(alert.get("alert_id", "")),
    }
    if secret is not None:
        out[SIGNATURE_HEADER] = sign(raw, secret)
    return out


_SPACE = re.compile(r"\s+")


def _clean(text: object) -> str:
    """One line, Slack's three control characters escaped."""
    line = _SPACE.sub(" ", str(text)).strip()
    return line.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def chat_text(alert: dict) -> str:
    """One line: what happened, its status, the sources so far and a link."""
    e = alert.get("event") or {}
    kind = alert.get("kind")
    label = {"status_changed": "Status change", "update": "Update"}.get(kind, "Alert")
    what = _describe(e, alert).replace(" -> ", " → ")
    sources = alert.get("sources") or []
    outlets = list(dict.fromkeys(str(s.get("outlet")) for s in sources if s.get("outlet")))
    named = ", ".join(outlets[:MAX_SOURCES])
    if len(outlets) > MAX_SOURCES:
        named += f" +{len(outlets) - MAX_SOURCES}"
    reports = alert.get("report_count", len(sources))
    line = f"[newsmon] {label} {what} | {reports} report(s): {named or '-'}"
    text = _clean(line)
    link = _link(alert)
    return f"{text} | <{link}>" if link else text


def _describe(event: dict, alert: dict) -> str:
    """The kind's own line (`Kind.describe`); the type and id of an alert it cannot read."""
    kind = kinds.get(str(event.get("type")))
    try:
        return kind.describe(event, alert) if kind else ""
    except (KeyError, TypeError, AttributeError, ValueError):
        return f"{event.get('type', '?')}: {alert.get('event_id', '?')}"


def _link(alert: dict) -> str:
    """The latest report's URL, else the first's; only http(s), without `|<>` and spaces
    (which would break Slack's `<url>` link)."""
    for article in (alert.get("last_article"), alert.get("article")):
        url = (article or {}).get("url")
        if (
            isinstance(url, str)
            and url.startswith(("https://", "http://"))
            and not re.search(r"[\s|<>]", url)
        ):
            return url.replace("&", "&amp;")
    return ""


def chat_body(alert: dict) -> bytes:
    return json.dumps({"text": chat_text(alert)}, ensure_ascii=False).encode("utf-8")


DEAD_LETTER_SCHEMA = "newsmon.sink-dead-letter.v1"


def dead_letter(
    *,
    sink: str,
    sink_type: str,
    reason: str,
    detail: str,
    attempts: int,
    last_status: int | None,
    last_error: str,
    alert: dict | None,
    value: bytes | None,
    source: dict,
    now: datetime | None = None,
) -> dict:
    """A sink's dead letter (`schemas/sink-dead-letter.v1.json`): the alert (or, for a
    record that is not one, its bytes), the sink, why, and how the last attempt ended."""
    return {
        "schema": DEAD_LETTER_SCHEMA,
        "sink": sink,
        "sink_type": sink_type,
        "reason": reason,
        "detail": detail[:1000],
        "attempts": attempts,
        "last_status": last_status,
        "last_error": last_error or None,
        "alert_id": alert.get("alert_id") if alert is not None else None,
        "alert": alert,
        "value_b64": None if alert is not None or value is None else _b64(value[:KEEP_BYTES]),
        "source": source,
        "failed_at": (now or datetime.now(UTC)).isoformat().replace("+00:00", "Z"),
    }


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")
