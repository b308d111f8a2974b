"""Security settings: how they map onto Faust (aiokafka) and kafka-python, which mixes are
refused, and that the password shows up in no repr, error or log line. No broker here;
`tests/integration/test_security.py` runs them against one."""

from __future__ import annotations

import ast
import logging
import shutil
import ssl
import subprocess
from dataclasses import dataclass
from pathlib import Path

import faust
import pytest
from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth
from kafka import KafkaAdminClient
from kafka.errors import KafkaError

from streams.broker import free_port
from streams.clients import connect
from streams.security import (
    MASK,
    Secret,
    SecurityConfigError,
    faust_credentials,
    kafka_python_options,
    mask_in_logs,
    redact,
    ssl_context,
)
from streams.settings import Settings

from .conftest import ROOT

PASSWORD = "Pw-7c1d9e-unit-secret"
USER = "newsmon-unit-user"


@dataclass(frozen=True)
class Pki:
    """A throwaway CA and certificates signed by it, made with the `openssl` CLI."""

    ca: Path  # the test CA's certificate
    server_cert: Path  # for 127.0.0.1 and localhost
    server_key: Path
    wrong_host_cert: Path  # valid, signed by the CA, but for another host name
    wrong_host_key: Path
    client_cert: Path  # a client certificate signed by the CA
    client_key: Path
    other_ca: Path  # a CA that signed none of them


def make_pki(folder: Path) -> Pki:
    openssl = shutil.which("openssl")
    assert openssl, "the openssl command line tool is needed to make the test CA"
    folder.mkdir(parents=True, exist_ok=True)

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], check=True, capture_output=True, cwd=folder)

    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    for name in ("ca", "other-ca"):
        run(
            "req", "-x509", *ec, "-keyout", f"{name}.key", "-out", f"{name}.pem", "-days", "2",
            "-subj", f"/CN=newsmon test {name}",
            "-addext", "basicConstraints=critical,CA:TRUE",
            "-addext", "keyUsage=critical,keyCertSign,cRLSign",
        )  # fmt: skip
    leaves = {
        "server": "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n",
        "wrong-host": "subjectAltName=DNS:broker.invalid\nextendedKeyUsage=serverAuth\n",
        "client": "extendedKeyUsage=clientAuth\n",
    }
    for name, extensions in leaves.items():
        (folder / f"{name}.ext").write_text(
            f"basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n{extensions}"
        )
        run("req", *ec, "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}")
        run(
            "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", f"{name}.pem", "-days", "2",
            "-extfile", f"{name}.ext",
        )  # fmt: skip
    return Pki(
        ca=folder / "ca.pem",
        server_cert=folder / "server.pem",
        server_key=folder / "server.key",
        wrong_host_cert=folder / "wrong-host.pem",
        wrong_host_key=folder / "wrong-host.key",
        client_cert=folder / "client.pem",
        client_key=folder / "client.key",
        other_ca=folder / "other-ca.pem",
    )


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


def sasl(**overrides: object) -> Settings:
    values: dict[str, object] = {
        "security_protocol": "SASL_PLAINTEXT",
        "sasl_username": USER,
        "sasl_password": PASSWORD,
    }
    return Settings(**{**values, **overrides})  # type: ignore[arg-type]


# --- mapping ---------------------------------------------------------------------------


def test_plaintext_by_default():
    settings = Settings()
    assert settings.security_protocol == "PLAINTEXT"
    assert kafka_python_options(settings) == {"security_protocol": "PLAINTEXT"}
    assert faust_credentials(settings) is None
    assert ssl_context(settings) is None


def test_environment_variables_are_read_and_normalised(pki):
    settings = Settings.from_env(
        {
            "NEWSMON_SECURITY_PROTOCOL": "sasl_ssl",
            "NEWSMON_SASL_MECHANISM": "scram-sha-256",
            "NEWSMON_SASL_USERNAME": USER,
            "NEWSMON_SASL_PASSWORD": PASSWORD,
            "NEWSMON_SSL_CAFILE": str(pki.ca),
            "NEWSMON_SSL_CHECK_HOSTNAME": "false",
        }
    )
    assert settings.security_protocol == "SASL_SSL"
    assert settings.sasl_mechanism == "SCRAM-SHA-256"
    assert (settings.sasl_username, settings.sasl_password) == (USER, PASSWORD)
    assert settings.ssl_cafile == str(pki.ca)
    assert settings.ssl_check_hostname is False


def test_sasl_ssl_maps_alike_to_kafka_python_and_faust(pki):
    settings = sasl(security_protocol="SASL_SSL", ssl_cafile=str(pki.ca))
    options = kafka_python_options(settings)
    assert set(options) == {
        "security_protocol",
        "ssl_context",
        "sasl_mechanism",
        "sasl_plain_username",
        "sasl_plain_password",
    }
    assert options["security_protocol"] == "SASL_SSL"
    assert options["sasl_mechanism"] == "SCRAM-SHA-512"
    assert options["sasl_plain_username"] == USER
    assert options["sasl_plain_password"] == PASSWORD
    context = options["ssl_context"]
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname
    assert len(context.get_ca_certs()) == 1  # the test CA only, not the system's

    credentials = faust_credentials(settings)
    assert isinstance(credentials, faust.SASLCredentials)
    # what Faust itself hands to aiokafka, for its consumer, producer and topic creation
    aiokafka = credentials_to_aiokafka_auth(credentials)
    assert aiokafka["security_protocol"] == "SASL_SSL"
    assert aiokafka["sasl_mechanism"] == "SCRAM-SHA-512"
    assert aiokafka["sasl_plain_username"] == USER
    assert aiokafka["sasl_plain_password"] == PASSWORD
    assert aiokafka["ssl_context"].get_ca_certs() == context.get_ca_certs()


@pytest.mark.parametrize("mechanism", ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"])
def test_sasl_plaintext_mechanisms(mechanism):
    settings = sasl(sasl_mechanism=mechanism)
    options = kafka_python_options(settings)
    assert options["security_protocol"] == "SASL_PLAINTEXT"
    assert options["sasl_mechanism"] == mechanism
    assert "ssl_context" not in options
    aiokafka = credentials_to_aiokafka_auth(faust_credentials(settings))
    assert aiokafka["security_protocol"] == "SASL_PLAINTEXT"
    assert aiokafka["sasl_mechanism"] == mechanism
    assert aiokafka["ssl_context"] is None


def test_ssl_alone(pki):
    settings = Settings(security_protocol="SSL", ssl_cafile=str(pki.ca))
    options = kafka_python_options(settings)
    assert set(options) == {"security_protocol", "ssl_context"}
    credentials = faust_credentials(settings)
    assert isinstance(credentials, faust.SSLCredentials)
    aiokafka = credentials_to_aiokafka_auth(credentials)
    assert aiokafka["security_protocol"] == "SSL"
    assert aiokafka["ssl_context"] is credentials.context


def test_ssl_without_cafile_trusts_the_system_cas():
    context = ssl_context(Settings(security_protocol="SSL"))
    assert context is not None and context.verify_mode == ssl.CERT_REQUIRED


def test_host_name_check_can_be_turned_off_but_not_the_certificate_check(pki):
    context = ssl_context(
        Settings(security_protocol="SSL", ssl_cafile=str(pki.ca), ssl_check_hostname=False)
    )
    assert context is not None
    assert context.check_hostname is False
    assert context.verify_mode == ssl.CERT_REQUIRED


def test_client_certificate_is_loaded(pki):
    for key in (str(pki.client_key), ""):
        certfile = pki.client_cert
        if not key:  # certificate and key in one file
            certfile = pki.client_cert.with_name("client-bundle.pem")
            certfile.write_text(pki.client_cert.read_text() + pki.client_key.read_text())
        settings = Settings(
            security_protocol="SSL",
            ssl_cafile=str(pki.ca),
            ssl_certfile=str(certfile),
            ssl_keyfile=key,
        )
        assert ssl_context(settings) is not None


def test_create_app_gives_faust_the_credentials(tmp_path, pki):
    from streams.worker.app import create_app

    settings = sasl(
        security_protocol="SASL_SSL", ssl_cafile=str(pki.ca), data_dir=str(tmp_path / "data")
    )
    app = create_app(settings)
    credentials = app.conf.broker_credentials
    assert isinstance(credentials, faust.SASLCredentials)
    assert credentials.mechanism.value == "SCRAM-SHA-512"
    assert credentials.ssl_context is not None
    assert PASSWORD not in repr(credentials)
    assert PASSWORD not in repr(app.conf.broker_credentials)


# --- refused combinations ----------------------------------------------------------------

BAD = [
    ({"security_protocol": "TLS"}, "NEWSMON_SECURITY_PROTOCOL must be one of"),
    ({"sasl_mechanism": "GSSAPI"}, "NEWSMON_SASL_MECHANISM must be one of"),
    (
        {"security_protocol": "SASL_SSL", "sasl_password": PASSWORD},
        "SASL_SSL needs NEWSMON_SASL_USERNAME",
    ),
    (
        {"security_protocol": "SASL_PLAINTEXT", "sasl_username": USER},
        "SASL_PLAINTEXT needs NEWSMON_SASL_PASSWORD",
    ),
    ({"security_protocol": "SASL_SSL"}, "needs NEWSMON_SASL_USERNAME and NEWSMON_SASL_PASSWORD"),
    (
        {"sasl_username": USER, "sasl_password": PASSWORD},
        "NEWSMON_SASL_USERNAME and NEWSMON_SASL_PASSWORD set, but "
        "NEWSMON_SECURITY_PROTOCOL=PLAINTEXT would not send them",
    ),
    (
        {"security_protocol": "SSL", "sasl_password": PASSWORD},
        "NEWSMON_SASL_PASSWORD set, but NEWSMON_SECURITY_PROTOCOL=SSL",
    ),
    ({"ssl_cafile": "/etc/ssl/ca.pem"}, "NEWSMON_SSL_CAFILE set, but"),
    (
        {
            "security_protocol": "SASL_PLAINTEXT",
            "sasl_username": USER,
            "sasl_password": PASSWORD,
            "ssl_certfile": "c.pem",
        },
        "NEWSMON_SSL_CERTFILE set, but NEWSMON_SECURITY_PROTOCOL=SASL_PLAINTEXT",
    ),
    ({"security_protocol": "SSL", "ssl_keyfile": "k.pem"}, "NEWSMON_SSL_KEYFILE needs"),
    (
        {"broker": f"kafka://{USER}:{PASSWORD}@127.0.0.1:9092"},
        "NEWSMON_BROKER must not carry credentials",
    ),
]


@pytest.mark.parametrize(("values", "message"), BAD)
def test_bad_combinations_are_refused_without_quoting_the_password(values, message):
    with pytest.raises(SecurityConfigError) as caught:
        Settings(**values)
    assert message in str(caught.value)
    for text in (str(caught.value), repr(caught.value)):
        assert PASSWORD not in text


def test_from_env_refuses_them_too():
    env = {"NEWSMON_SASL_USERNAME": USER, "NEWSMON_SASL_PASSWORD": PASSWORD}
    with pytest.raises(SecurityConfigError, match="NEWSMON_SECURITY_PROTOCOL=PLAINTEXT"):
        Settings.from_env(env)
    with pytest.raises(ValueError, match=r"NEWSMON_SSL_CHECK_HOSTNAME='perhaps' is not a bool"):
        Settings.from_env({"NEWSMON_SSL_CHECK_HOSTNAME": "perhaps"})


def test_unreadable_tls_files_are_named_in_the_error(tmp_path, pki):
    missing = tmp_path / "no-such-ca.pem"
    with pytest.raises(SecurityConfigError, match="NEWSMON_SSL_CAFILE: cannot use") as caught:
        ssl_context(Settings(security_protocol="SSL", ssl_cafile=str(missing)))
    assert str(missing) in str(caught.value)
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a certificate\n")
    with pytest.raises(SecurityConfigError, match="NEWSMON_SSL_CAFILE"):
        ssl_context(Settings(security_protocol="SSL", ssl_cafile=str(garbage)))
    with pytest.raises(SecurityConfigError, match="NEWSMON_SSL_CERTFILE/NEWSMON_SSL_KEYFILE"):
        ssl_context(
            Settings(
                security_protocol="SSL",
                ssl_cafile=str(pki.ca),
                ssl_certfile=str(pki.client_cert),
                ssl_keyfile=str(pki.server_key),  # not the certificate's key
            )
        )


# --- the password stays hidden -------------------------------------------------------------


def test_password_is_not_in_the_settings_repr():
    settings = sasl()
    assert PASSWORD not in repr(settings)
    assert PASSWORD not in str(settings)
    assert settings.sasl_password == PASSWORD


def test_secret_masks_its_repr_only():
    secret = Secret(PASSWORD)
    assert repr(secret) == repr(MASK)
    assert secret == PASSWORD and str(secret) == PASSWORD
    assert secret.encode() == PASSWORD.encode()
    assert PASSWORD not in repr({"sasl_plain_password": secret})
    assert PASSWORD not in repr(kafka_python_options(sasl()))
    assert PASSWORD not in repr(faust_credentials(sasl()))
    assert redact(f"x {PASSWORD} y", sasl()) == f"x {MASK} y"


def test_kafka_python_debug_logs_and_errors_hold_no_password(caplog):
    """kafka-python logs its whole configuration at DEBUG and SASL exchanges as they go;
    a client that cannot connect must not show the password there nor in its error."""
    settings = sasl(broker=f"kafka://127.0.0.1:{free_port()}", sasl_mechanism="PLAIN")
    caplog.set_level(logging.DEBUG)
    with pytest.raises(KafkaError) as caught:
        connect(KafkaAdminClient, settings, bootstrap_timeout_ms=500)
    message = str(caught.value)
    assert "over SASL_PLAINTEXT" in message
    assert "NEWSMON_SASL_PASSWORD" in message  # the hint names the variable, not its value
    assert "Starting KafkaAdminClient with configuration" in caplog.text
    assert repr(MASK) in caplog.text
    for text in (message, repr(caught.value), caplog.text):
        assert PASSWORD not in text


def test_log_records_mask_the_password_once_installed(caplog):
    """aiokafka logs each request at DEBUG, SASL PLAIN's `\\0user\\0password` bytes included;
    the worker and the clients mask the password in every record of their process."""
    password = "Pw-ünï-" + PASSWORD  # also escaped, in the repr of its bytes
    mask_in_logs(sasl(sasl_password=password))
    log = logging.getLogger("aiokafka.conn")
    caplog.set_level(logging.DEBUG)
    auth_bytes = b"\0" + USER.encode() + b"\0" + password.encode()
    log.debug("Request to %s: SaslAuthenticateRequest(sasl_auth_bytes=%r)", "broker", auth_bytes)
    log.warning(f"login as {USER} with {password}")
    try:
        raise RuntimeError(f"refused: {password}")
    except RuntimeError:
        log.exception("failed")
    assert caplog.text.count(MASK) == 3  # the request, the warning, the traceback
    for secret in (password, repr(password.encode())[2:-1], PASSWORD):
        assert secret not in caplog.text
    assert USER in caplog.text  # only the password is masked


def test_metrics_endpoint_binds_to_loopback_by_default():
    assert Settings().metrics_host == "127.0.0.1"
    assert Settings.from_env({}).metrics_host == "127.0.0.1"


# --- untrusted text is never evaluated -------------------------------------------------------

UNSAFE_NAMES = {"eval", "exec", "compile", "__import__", "execfile", "input"}
UNSAFE_ATTRIBUTES = {
    ("pickle", "load"),
    ("pickle", "loads"),
    ("marshal", "load"),
    ("marshal", "loads"),
    ("shelve", "open"),
    ("yaml", "load"),
    ("yaml", "unsafe_load"),
    ("yaml", "full_load"),
    ("os", "system"),
    ("os", "popen"),
}


def unsafe_calls(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
            if {"pickle", "marshal", "shelve", "dill"} & set(modules):
                found.append(f"{path}:{node.lineno} imports {modules}")
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id in UNSAFE_NAMES:
            found.append(f"{path}:{node.lineno} {func.id}()")
        if (
            isinstance(func, ast.Attribute)
            and isinstance(func.value, ast.Name)
            and (func.value.id, func.attr) in UNSAFE_ATTRIBUTES
        ):
            found.append(f"{path}:{node.lineno} {func.value.id}.{func.attr}()")
        for keyword in node.keywords:
            if keyword.arg == "shell" and not (
                isinstance(keyword.value, ast.Constant) and keyword.value.value is False
            ):
                found.append(f"{path}:{node.lineno} shell=")
    return found


def test_no_code_path_evaluates_text():
    """Articles, messages, feeds and settings are data: parsed (JSON, schema checks), never
    run. No eval/exec, no pickle/marshal, no unsafe YAML, no shell."""
    files = sorted((ROOT / "streams").rglob("*.py"))
    assert files
    found = [hit for path in files for hit in unsafe_calls(path)]
    assert found == []
