"""Broker security for real, on the embedded broker: who is refused, who gets through, and
that no credential ever reaches an output. No mocks; timeouts only.

What tansu 0.6.0 can enforce decides what is shown (see `streams/broker.py`):

* SASL: with `--authentication` it refuses every client that has not logged in with SCRAM,
  but its users can only be created by an already logged-in client (memory storage starts
  empty), so no client can ever get through. The tests show the refusals.
* TLS: its own TLS listener cannot be turned on, so `EmbeddedBroker` terminates TLS in
  front of it with a certificate from a test CA. A client that does not trust that CA is
  refused; one configured with it (kafka-python and a real Faust worker) works.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import pytest
from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from streams.broker import EmbeddedBroker, free_port, stop_process, tansu_binary
from streams.clients import connect, ensure_topics, publish_raw, tail
from streams.settings import Settings

from ..conftest import REFERENCE
from ..test_security import Pki, make_pki
from .conftest import NEWSMON, READY, ROOT

pytestmark = pytest.mark.integration

USER = "newsmon-it-user"
PASSWORD = "Pw-4f0c2b9e-integration-secret"
EXIT_BROKER = 3
REFERENCE_ARTICLE = {
    "id": "putin-pyongyang-2024",
    "text": REFERENCE.read_text(encoding="utf-8"),
    "published_at": "2024-06-19T03:00:00Z",
    "source": "reference",
}


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture
def broker(tmp_path: Path, pki: Pki):
    """Overrides the plaintext broker of `conftest.py`: this one only speaks TLS."""
    with EmbeddedBroker(
        port=0, log=tmp_path / "broker.log", tls_cert=pki.server_cert, tls_key=pki.server_key
    ) as running:
        yield running


@pytest.fixture
def env(env: dict[str, str], pki: Pki) -> dict[str, str]:
    """`conftest.py`'s environment, plus trust in the test CA: `settings`, `start_worker`,
    `newsmon`, `read_topic` and `wait_drained` all go through TLS."""
    return {**env, "NEWSMON_SECURITY_PROTOCOL": "SSL", "NEWSMON_SSL_CAFILE": str(pki.ca)}


def refusal(settings: Settings) -> str:
    """The error of a kafka-python client that the broker does not let in."""
    with pytest.raises(KafkaError) as caught:
        connect(KafkaAdminClient, settings, bootstrap_timeout_ms=3000).close()
    return str(caught.value)


def round_trip(settings: Settings, topic: str) -> list:
    """Creates `topic`, writes one message and reads everything on it back."""
    ensure_topics(settings, [topic])
    assert list(publish_raw(replace(settings, articles_topic=topic), [(b"k", b'{"ok": 1}')]))
    return [value for _, value in tail(settings, [topic], from_beginning=True, idle_timeout=1)]


class Spawned:
    """A `newsmon` subprocess with its own environment, output to files."""

    def __init__(self, env: dict[str, str], folder: Path, name: str, *args: str) -> None:
        self.out, self.err = folder / f"{name}.out", folder / f"{name}.err"
        with self.out.open("wb") as out, self.err.open("wb") as err:
            self.process = subprocess.Popen(
                [*NEWSMON, *args],
                env=env,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )

    def wait(self, timeout: float = 120.0) -> int:
        return self.process.wait(timeout)

    def stop(self) -> int:
        return stop_process(self.process, 60)

    def output(self) -> str:
        return "".join(p.read_text(errors="replace") for p in (self.out, self.err))


# --- TLS -----------------------------------------------------------------------------------


def test_tls_refuses_clients_that_do_not_trust_the_test_ca(broker, settings, pki):
    assert settings.security_protocol == "SSL"
    plaintext = refusal(replace(settings, security_protocol="PLAINTEXT", ssl_cafile=""))
    assert "Unable to bootstrap" in plaintext and "over PLAINTEXT" in plaintext
    other_ca = refusal(replace(settings, ssl_cafile=str(pki.other_ca)))
    assert "CERTIFICATE_VERIFY_FAILED" in other_ca, other_ca
    system_cas = refusal(replace(settings, ssl_cafile=""))
    assert "CERTIFICATE_VERIFY_FAILED" in system_cas, system_cas

    assert round_trip(settings, "security.tls") == [{"ok": 1}]


def test_tls_checks_the_broker_host_name(tmp_path, pki):
    with EmbeddedBroker(
        port=0,
        log=tmp_path / "broker.log",
        tls_cert=pki.wrong_host_cert,
        tls_key=pki.wrong_host_key,
    ) as broker:
        settings = Settings(
            broker=broker.url,
            broker_profile="embedded",
            security_protocol="SSL",
            ssl_cafile=str(pki.ca),
        )
        error = refusal(settings)
        assert "CERTIFICATE_VERIFY_FAILED" in error and "mismatch" in error, error
        # NEWSMON_SSL_CHECK_HOSTNAME=false: the CA is still checked, the name no longer
        unchecked = replace(settings, ssl_check_hostname=False)
        assert round_trip(unchecked, "security.hostname") == [{"ok": 1}]


def test_tls_client_certificate_when_the_broker_asks_for_one(tmp_path, pki):
    with EmbeddedBroker(
        port=0,
        log=tmp_path / "broker.log",
        tls_cert=pki.server_cert,
        tls_key=pki.server_key,
        tls_client_ca=pki.ca,
    ) as broker:
        settings = Settings(
            broker=broker.url,
            broker_profile="embedded",
            security_protocol="SSL",
            ssl_cafile=str(pki.ca),
        )
        assert "Unable to bootstrap" in refusal(settings)
        with_certificate = replace(
            settings, ssl_certfile=str(pki.client_cert), ssl_keyfile=str(pki.client_key)
        )
        assert round_trip(with_certificate, "security.mtls") == [{"ok": 1}]


def test_worker_and_command_line_over_tls(
    tmp_path, env, pki, start_worker, newsmon, read_topic, wait_drained
):
    """The Faust worker (aiokafka) and `newsmon publish`/`tail` (kafka-python) with the same
    NEWSMON_* variables: trusted, they process an article end to end; not trusted, refused."""
    untrusted = {**env, "NEWSMON_SSL_CAFILE": str(pki.other_ca)}
    # started first, as they take their time to give up
    refused_publish = Spawned(untrusted, tmp_path, "publish-untrusted", "publish", str(REFERENCE))
    refused_worker = start_worker(
        NEWSMON_SSL_CAFILE=str(pki.other_ca),
        NEWSMON_APP_ID="newsmon-untrusted",
        NEWSMON_DATA_DIR=str(tmp_path / "untrusted-data"),
    )
    worker = start_worker()
    article = tmp_path / "reference.jsonl"
    article.write_text(json.dumps(REFERENCE_ARTICLE) + "\n", encoding="utf-8")
    published = newsmon("publish", str(article))
    assert published.returncode == 0, published.stderr
    assert "1 articles published" in published.stderr
    wait_drained([worker])

    alerts = read_topic()
    assert alerts, "no alert came through the TLS broker"
    assert {a["article"]["id"] for a in alerts} == {"putin-pyongyang-2024"}
    events = read_topic("--topic", "newsmon.events")
    assert {e["article_id"] for e in events} == {a["last_article"]["id"] for a in alerts}

    assert refused_publish.wait() == EXIT_BROKER, refused_publish.output()
    assert "CERTIFICATE_VERIFY_FAILED" in refused_publish.output()
    assert READY not in refused_worker.output()
    assert "CERTIFICATE_VERIFY_FAILED" in refused_worker.output(), refused_worker.output()[-3000:]


# --- SASL ----------------------------------------------------------------------------------


def test_sasl_refuses_clients_without_valid_credentials(tmp_path):
    with EmbeddedBroker(port=0, log=tmp_path / "broker.log", authentication=True) as broker:
        anonymous = Settings(broker=broker.url, broker_profile="embedded")
        assert "Unable to bootstrap" in refusal(anonymous)
        for mechanism in ("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN"):
            settings = Settings(
                broker=broker.url,
                security_protocol="SASL_PLAINTEXT",
                sasl_mechanism=mechanism,
                sasl_username=USER,
                sasl_password=PASSWORD,
            )
            error = refusal(settings)
            assert "Unable to bootstrap" in error and "NEWSMON_SASL_PASSWORD" in error
            assert PASSWORD not in error

        # Why no client gets through: users are made with AlterUserScramCredentials, which
        # tansu answers only to a client already logged in. If this ever succeeds, tansu can
        # be provisioned: extend this test with a SCRAM login that works.
        create = ["user", "create", "--broker", f"tcp://{broker.bootstrap}", USER, PASSWORD]
        created = subprocess.run(
            [str(tansu_binary()), *create],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert created.returncode != 0
        assert "NotAuthenticated" in (tmp_path / "broker.log").read_text(errors="replace")


# --- no credential in any output -------------------------------------------------------------


def test_no_credential_reaches_output_logs_or_errors(tmp_path, pki):
    """Refused logins (wrong user or password), an unreachable broker and refused settings,
    at the most verbose log level: the password, `user:password` and their base64 forms
    appear in no stdout, stderr or log file."""
    with EmbeddedBroker(
        port=0,
        log=tmp_path / "broker.log",
        authentication=True,
        tls_cert=pki.server_cert,
        tls_key=pki.server_key,
    ) as broker:
        env = {
            **os.environ,
            "PYTHONPATH": str(ROOT),
            "PYTHONUNBUFFERED": "1",
            "NEWSMON_BROKER": broker.url,
            "NEWSMON_BROKER_PROFILE": "embedded",
            "NEWSMON_DATA_DIR": str(tmp_path / "data"),
            "NEWSMON_METRICS_PORT": "0",
            "NEWSMON_LOG_LEVEL": "debug",
            "NEWSMON_SECURITY_PROTOCOL": "SASL_SSL",
            "NEWSMON_SSL_CAFILE": str(pki.ca),
            "NEWSMON_SASL_USERNAME": USER,
            "NEWSMON_SASL_PASSWORD": PASSWORD,
        }
        unreachable = {**env, "NEWSMON_BROKER": f"kafka://127.0.0.1:{free_port()}"}
        runs = [
            Spawned(env, tmp_path, "worker", "worker"),
            Spawned(env, tmp_path, "publish", "publish", str(REFERENCE)),
            Spawned(env, tmp_path, "tail", "tail", "--from-beginning", "--timeout", "5"),
            Spawned(
                {**env, "NEWSMON_SASL_MECHANISM": "PLAIN"},
                tmp_path,
                "plain",
                "publish",
                str(REFERENCE),
            ),
            Spawned(unreachable, tmp_path, "unreachable", "publish", str(REFERENCE)),
            Spawned(unreachable, tmp_path, "unreachable-worker", "worker"),
            Spawned(
                {**env, "NEWSMON_SECURITY_PROTOCOL": "SSL"}, tmp_path, "config", "publish", "-"
            ),
            Spawned(
                {**env, "NEWSMON_BROKER": f"kafka://{USER}:{PASSWORD}@{broker.bootstrap}"},
                tmp_path,
                "url",
                "publish",
                "-",
            ),
        ]
        by_name = {Path(r.out).stem: r for r in runs}
        for name in ("publish", "tail", "plain", "unreachable"):
            assert by_name[name].wait() == EXIT_BROKER, by_name[name].output()[-2000:]
        for name in ("config", "url"):
            assert by_name[name].wait() != 0
        assert "would not send them" in by_name["config"].output()
        assert "must not carry credentials" in by_name["url"].output()
        deadline = time.monotonic() + 20
        worker_log = by_name["worker"]
        while "KeyError" not in worker_log.output() and time.monotonic() < deadline:
            time.sleep(0.5)
        for run in runs:
            run.stop()

    outputs = {path.name: path.read_text(errors="replace") for path in tmp_path.glob("*.*")}
    assert set(outputs) >= {"broker.log", "worker.err", "publish.err", "tail.err"}
    # the refused login really was tried: the worker's SCRAM exchange is in its debug log
    assert "SaslAuthenticateRequest" in outputs["worker.err"] + outputs["worker.out"]
    assert READY not in outputs["worker.err"]
    secrets = [
        PASSWORD,
        f"{USER}:{PASSWORD}",
        base64.b64encode(PASSWORD.encode()).decode(),
        base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode(),
    ]
    leaks = [(name, s) for name, text in outputs.items() for s in secrets if s in text]
    assert leaks == []
