"""Broker security: TLS and SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) settings turned into
what Faust (aiokafka) and kafka-python expect, alike for both: functions of `Settings`,
only `mask_in_logs` changes the process (its logging).

Secrets are handled so that they do not leak: the password is left out of `repr(Settings)`,
no error message here quotes it, the copy handed to the clients is a `Secret`, whose `repr`
is masked (kafka-python logs its whole configuration at DEBUG level), and `mask_in_logs`
makes every log record of the process mask it (aiokafka logs SASL PLAIN's bytes, which
hold it, at DEBUG level).
"""

from __future__ import annotations

import logging
import ssl
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import faust

    from .settings import Settings

PROTOCOLS = ("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL")
MECHANISMS = ("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512")
MASK = "***"


class SecurityConfigError(ValueError):
    """A security setting is missing, unknown or inconsistent. Never quotes a secret."""


class Secret(str):
    """A string whose `repr` is masked: safe inside a logged dict or a traceback's repr.

    Its value (`str(s)`, `s.encode()`, joins) is the real one, as the SASL code needs it."""

    __slots__ = ()

    def __repr__(self) -> str:
        return repr(MASK)


def uses_tls(settings: Settings) -> bool:
    return settings.security_protocol in ("SSL", "SASL_SSL")


def uses_sasl(settings: Settings) -> bool:
    return settings.security_protocol in ("SASL_PLAINTEXT", "SASL_SSL")


def check(settings: Settings) -> None:
    """Raises `SecurityConfigError` for a bad combination of security settings."""
    protocol, mechanism = settings.security_protocol, settings.sasl_mechanism
    if protocol not in PROTOCOLS:
        raise SecurityConfigError(
            f"NEWSMON_SECURITY_PROTOCOL must be one of {', '.join(PROTOCOLS)}, not {protocol!r}"
        )
    if mechanism not in MECHANISMS:
        raise SecurityConfigError(
            f"NEWSMON_SASL_MECHANISM must be one of {', '.join(MECHANISMS)}, not {mechanism!r}"
        )
    if "@" in settings.broker:
        # kafka://user:password@host: refused without quoting it; Faust would log the URL
        raise SecurityConfigError(
            "NEWSMON_BROKER must not carry credentials (it contains '@'); "
            "use NEWSMON_SASL_USERNAME and NEWSMON_SASL_PASSWORD"
        )
    given = [
        f"NEWSMON_{name.upper()}"
        for name in ("sasl_username", "sasl_password")
        if getattr(settings, name)
    ]
    if uses_sasl(settings):
        missing = [
            f"NEWSMON_{name.upper()}"
            for name in ("sasl_username", "sasl_password")
            if not getattr(settings, name)
        ]
        if missing:
            raise SecurityConfigError(
                f"NEWSMON_SECURITY_PROTOCOL={protocol} needs {' and '.join(missing)}"
            )
    elif given:
        raise SecurityConfigError(
            f"{' and '.join(given)} set, but NEWSMON_SECURITY_PROTOCOL={protocol} would not "
            "send them: use SASL_SSL (or SASL_PLAINTEXT)"
        )
    files = [
        f"NEWSMON_{name.upper()}"
        for name in ("ssl_cafile", "ssl_certfile", "ssl_keyfile")
        if getattr(settings, name)
    ]
    if files and not uses_tls(settings):
        raise SecurityConfigError(
            f"{', '.join(files)} set, but NEWSMON_SECURITY_PROTOCOL={protocol} does not use "
            "TLS: use SSL or SASL_SSL"
        )
    if settings.ssl_keyfile and not settings.ssl_certfile:
        raise SecurityConfigError("NEWSMON_SSL_KEYFILE needs NEWSMON_SSL_CERTFILE")


def ssl_context(settings: Settings) -> ssl.SSLContext | None:
    """The client TLS context (None without TLS): verifies the broker's certificate against
    NEWSMON_SSL_CAFILE (the system's CAs when unset), its host name unless
    NEWSMON_SSL_CHECK_HOSTNAME is false, and presents a client certificate when set."""
    if not uses_tls(settings):
        return None
    try:
        context = ssl.create_default_context(
            ssl.Purpose.SERVER_AUTH, cafile=settings.ssl_cafile or None
        )
    except (OSError, ssl.SSLError) as exc:
        raise SecurityConfigError(
            _file_error("NEWSMON_SSL_CAFILE", settings.ssl_cafile, exc)
        ) from None
    context.check_hostname = settings.ssl_check_hostname
    context.verify_mode = ssl.CERT_REQUIRED
    if settings.ssl_certfile:
        try:
            context.load_cert_chain(settings.ssl_certfile, settings.ssl_keyfile or None)
        except (OSError, ssl.SSLError) as exc:
            raise SecurityConfigError(
                _file_error(
                    "NEWSMON_SSL_CERTFILE/NEWSMON_SSL_KEYFILE",
                    settings.ssl_certfile,
                    exc,
                )
            ) from None
    return context


def _file_error(variable: str, path: str, exc: BaseException) -> str:
    reason = getattr(exc, "strerror", None) or getattr(exc, "reason", None) or type(exc).__name__
    return f"{variable}: cannot use {path!r} ({reason})"


def faust_credentials(settings: Settings) -> faust.types.auth.CredentialsT | None:
    """`broker_credentials` for `faust.App`: None (PLAINTEXT), `SSLCredentials` (SSL) or
    `SASLCredentials` with the mechanism and, for SASL_SSL, the TLS context."""
    import faust

    context = ssl_context(settings)
    if uses_sasl(settings):
        return faust.SASLCredentials(
            username=settings.sasl_username,
            password=Secret(settings.sasl_password),
            mechanism=settings.sasl_mechanism,
            ssl_context=context,
        )
    if context is not None:
        return faust.SSLCredentials(context)
    return None


def kafka_python_options(settings: Settings) -> dict[str, Any]:
    """Keyword arguments for every kafka-python client (producer, consumer, admin)."""
    options: dict[str, Any] = {"security_protocol": settings.security_protocol}
    context = ssl_context(settings)
    if context is not None:
        options["ssl_context"] = context
    if uses_sasl(settings):
        options["sasl_mechanism"] = settings.sasl_mechanism
        options["sasl_plain_username"] = settings.sasl_username
        options["sasl_plain_password"] = Secret(settings.sasl_password)
    return options


def redact(text: str, settings: Settings) -> str:
    """`text` with the SASL password masked: for messages built from library errors."""
    if settings.sasl_password:
        text = text.replace(settings.sasl_password, MASK)
    return text


_secrets: set[str] = set()
_installed = threading.Lock()
_factory: list[Callable[..., logging.LogRecord]] = []


def _mask(text: str) -> str:
    for secret in sorted(_secrets, key=len, reverse=True):  # a longer one may hold another
        if secret in text:
            text = text.replace(secret, MASK)
    return text


def _masking_factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _factory[0](*args, **kwargs)
    try:
        message = record.getMessage()
    except Exception:  # a bad format string: logging reports it when the record is emitted
        return record
    masked = _mask(message)
    if masked != message:
        record.msg, record.args = masked, ()
    if record.exc_info and record.exc_info[1] is not None:
        trace = logging.Formatter().formatException(record.exc_info)
        if _mask(trace) != trace:
            record.exc_text = _mask(trace)
    return record


def mask_in_logs(settings: Settings) -> None:
    """From now on every log record of this process shows the SASL password (as text, or
    escaped in the repr of bytes) as `***`, in its message and its traceback."""
    password = settings.sasl_password
    if not password:
        return
    forms = {password, repr(password)[1:-1], repr(password.encode("utf-8"))[2:-1]}
    with _installed:
        _secrets.update(form for form in forms if form)
        if not _factory:
            _factory.append(logging.getLogRecordFactory())
            logging.setLogRecordFactory(_masking_factory)
