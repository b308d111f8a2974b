"""SASL/SCRAM-SHA-512 over TLS on Apache Kafka itself: the cluster's SECURE listener
(`make kafka` makes the user with Kafka's storage tool and the certificate with openssl).
The worker, `publish`, `tail` and `ingest` log in and the reference article becomes an
alert; a wrong password and clients that do not log in are refused with one line and
exit 3, nothing written; no credential appears in any output or log, the brokers' included.
Runs with `make test-kafka`."""

from __future__ import annotations

import base64
import contextlib
import subprocess
from pathlib import Path

import pytest

from streams.clients import tail

from ..conftest import REFERENCE
from ..ingest.server import FeedServer
from .conftest import ON_KAFKA, READY
from .test_security import EXIT_BROKER, Spawned

pytestmark = [
    pytest.mark.kafka,
    pytest.mark.skipif(not ON_KAFKA, reason="needs NEWSMON_TEST_BROKER=kafka (make test-kafka)"),
]


@pytest.fixture
def env(env: dict[str, str], kafka_cluster) -> dict[str, str]:
    """Every `newsmon` run of these tests logs in on the SECURE listener, at debug level."""
    return {
        **env,
        "NEWSMON_BROKER": kafka_cluster.secure_url,
        "NEWSMON_SECURITY_PROTOCOL": "SASL_SSL",
        "NEWSMON_SASL_MECHANISM": kafka_cluster.scram["mechanism"],
        "NEWSMON_SASL_USERNAME": kafka_cluster.scram["username"],
        "NEWSMON_SASL_PASSWORD": kafka_cluster.scram["password"],
        "NEWSMON_SSL_CAFILE": kafka_cluster.ca,
        "NEWSMON_LOG_LEVEL": "debug",
        "NEWSMON_INGEST_ALLOW_HOSTS": "127.0.0.1",  # the test feed server is on loopback
    }


def one_line_error(run: Spawned) -> str:
    lines = [line for line in run.err.read_text(errors="replace").splitlines() if line.strip()]
    assert len(lines) == 1, lines
    return lines[0]


def test_scram_logins_stream_and_refusals_on_kafka(
    tmp_path, env, settings, kafka_cluster, start_worker, newsmon, read_topic, wait_drained
):
    password = kafka_cluster.scram["password"]
    worker = start_worker()
    worker.wait_ready()

    published = newsmon("publish", str(REFERENCE))
    assert published.returncode == 0, published.stderr
    with FeedServer() as feeds:
        ingested = newsmon(
            "ingest", "--once", "--state-dir", str(tmp_path / "state"),
            feeds.url("/plain/rss.xml"),
        )  # fmt: skip
    assert ingested.returncode == 0, ingested.stderr
    wait_drained([worker])
    alerts = read_topic()  # `newsmon tail`, logged in
    assert "putin-pyongyang-2024" in {a["last_article"]["id"] for a in alerts}
    assert any(a["article"]["id"].startswith("http://127.0.0.1") for a in alerts), alerts
    written = len(
        list(tail(settings, [settings.articles_topic], from_beginning=True, idle_timeout=2))
    )

    anonymous = {k: v for k, v in env.items() if not k.startswith("NEWSMON_SASL_")}
    refused = {
        "wrong-password": {**env, "NEWSMON_SASL_PASSWORD": password + "-wrong"},
        "wrong-user": {**env, "NEWSMON_SASL_USERNAME": "nobody"},
        "tls-only": {**anonymous, "NEWSMON_SECURITY_PROTOCOL": "SSL"},
        "plaintext": {**anonymous, "NEWSMON_SECURITY_PROTOCOL": "PLAINTEXT"},
    }
    refused["plaintext"].pop("NEWSMON_SSL_CAFILE")
    runs = {
        name: Spawned(changed, tmp_path, name, "publish", str(REFERENCE))
        for name, changed in refused.items()
    }
    runs["tail-wrong-password"] = Spawned(
        refused["wrong-password"], tmp_path, "tail-wrong-password",
        "tail", "--from-beginning", "--timeout", "5",
    )  # fmt: skip
    bad_worker = Spawned(refused["wrong-password"], tmp_path, "worker-wrong-password", "worker")
    for name, run in runs.items():
        assert run.wait() == EXIT_BROKER, (name, run.output()[-2000:])
        line = one_line_error(run)
        assert line.startswith("newsmon: broker error:"), line
    assert "NEWSMON_SASL_PASSWORD" in one_line_error(runs["wrong-password"])
    after = len(
        list(tail(settings, [settings.articles_topic], from_beginning=True, idle_timeout=2))
    )
    assert after == written, "a refused client wrote to the articles topic"
    with contextlib.suppress(subprocess.TimeoutExpired):  # still retrying, never joined
        bad_worker.process.wait(timeout=30)
    assert READY not in bad_worker.output()
    bad_worker.stop()
    worker.stop()

    secrets = [
        password,
        base64.b64encode(password.encode()).decode(),
        base64.b64encode(f"\0{kafka_cluster.scram['username']}\0{password}".encode()).decode(),
    ]
    logs = [*tmp_path.glob("*.log"), *tmp_path.glob("*.out"), *tmp_path.glob("*.err")]
    logs += [Path(n["log"]) for n in kafka_cluster.state["nodes"].values()]
    leaks = [(p.name, s) for p in logs for s in secrets if s in p.read_text(errors="replace")]
    assert leaks == []
    assert "SaslAuthenticate" in worker.output()  # the debug log shows the login happened
