"""A real Apache Kafka cluster on loopback, without Docker: 3 KRaft nodes (controller and
broker in one process each) from the jars Maven resolves with `deploy/kafka/pom.xml`.

    python deploy/kafka/cluster.py start     # fetch, format, start, wait; prints `bootstrap: ...`
    python deploy/kafka/cluster.py stop      # SIGTERM every node (SIGKILL after 60 s)
    python deploy/kafka/cluster.py info      # the cluster's state file as JSON
    python deploy/kafka/cluster.py kill N    # SIGKILL node N (1-3); `restart N` starts it again
    python deploy/kafka/cluster.py controller  # the node id of the active controller

Each node listens on four loopback ports: CLIENT (plaintext, for the bootstrap line), SECURE
(SASL_SSL, SCRAM-SHA-512, a certificate from a CA made here), INTERNAL (between brokers) and
CONTROLLER (the KRaft quorum). Every topic gets replication factor 3 and
min.insync.replicas 2 from the broker defaults, Kafka's internal topics too. A SCRAM user
is created by Kafka's own storage tool when the nodes are formatted; its name, password and
the CA file are in the state file (0600). Jars, data, logs and state live under
`.cache/kafka/` (or `$NEWSMON_KAFKA_HOME`). Only the standard library is needed, plus
kafka-python for the readiness check when it is importable.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
HOME = Path(os.environ.get("NEWSMON_KAFKA_HOME", ROOT / ".cache" / "kafka"))
NODES = (1, 2, 3)
HOST = "127.0.0.1"
LISTENERS = ("CLIENT", "SECURE", "INTERNAL", "CONTROLLER")
SCRAM_USER = "newsmon"
HEAP = os.environ.get("NEWSMON_KAFKA_HEAP", "512m")

# Broker settings every node shares: docker-compose.yml must say the same (tests/deploy).
BROKER_DEFAULTS = {
    "process.roles": "broker,controller",
    "controller.listener.names": "CONTROLLER",
    "inter.broker.listener.name": "INTERNAL",
    "listener.security.protocol.map": (
        "CLIENT:PLAINTEXT,SECURE:SASL_SSL,INTERNAL:PLAINTEXT,CONTROLLER:PLAINTEXT"
    ),
    "auto.create.topics.enable": "false",
    "default.replication.factor": "3",
    "min.insync.replicas": "2",
    "offsets.topic.replication.factor": "3",
    "transaction.state.log.replication.factor": "3",
    "transaction.state.log.min.isr": "2",
    "group.initial.rebalance.delay.ms": "0",
    "message.max.bytes": "4194304",
    "sasl.enabled.mechanisms": "SCRAM-SHA-512",
}


class ClusterError(RuntimeError):
    """The cluster cannot be fetched, formatted or started."""


def say(message: str) -> None:
    print(f"kafka: {message}", file=sys.stderr, flush=True)


# --- jars ----------------------------------------------------------------------------------


def kafka_version() -> str:
    text = (HERE / "pom.xml").read_text(encoding="utf-8")
    return text.split("<kafka.version>", 1)[1].split("<", 1)[0].strip()


def fetch() -> Path:
    """The broker's jars in `HOME/lib`, resolved by Maven once per pinned version."""
    lib = HOME / "lib"
    stamp = lib / f".resolved-{hashlib.sha256((HERE / 'pom.xml').read_bytes()).hexdigest()[:12]}"
    if stamp.exists():
        return lib
    mvn = shutil.which("mvn")
    if not mvn:
        raise ClusterError("Maven (mvn) is not installed: it resolves Kafka from Maven Central")
    say(f"resolving Apache Kafka {kafka_version()} with Maven into {lib} (once)")
    shutil.rmtree(lib, ignore_errors=True)
    command = [
        mvn, "-q", "-B", "-f", str(HERE / "pom.xml"), "dependency:copy-dependencies",
        f"-DoutputDirectory={lib}", f"-Dmaven.repo.local={HOME / 'm2'}",
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = (result.stdout + result.stderr).strip().splitlines()[-15:]
        raise ClusterError("Maven could not resolve Kafka:\n" + "\n".join(tail))
    stamp.touch()
    return lib


def java() -> str:
    home = os.environ.get("JAVA_HOME")
    path = Path(home) / "bin" / "java" if home else shutil.which("java")
    if not path:
        raise ClusterError("no java: Kafka needs Java 17 or newer")
    return str(path)


def run_tool(main: str, *args: str) -> subprocess.CompletedProcess:
    """One of Kafka's command line tools (a main class), warnings only."""
    command = [
        java(), "-cp", str(HOME / "lib" / "*"), "-Xmx256m",
        f"-Dlog4j2.configurationFile={HERE / 'log4j2-tools.properties'}", main, *args,
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, check=False)


def jvm_flags(log_dir: Path) -> list[str]:
    return [
        f"-Xms{HEAP}", f"-Xmx{HEAP}", "-XX:+UseG1GC", "-Djava.awt.headless=true",
        f"-Dlog4j2.configurationFile={HERE / 'log4j2.properties'}", f"-Dkafka.logs.dir={log_dir}",
    ]  # fmt: skip


# --- state ---------------------------------------------------------------------------------


def state_file() -> Path:
    return HOME / "cluster.json"


def load_state() -> dict | None:
    try:
        return json.loads(state_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def save_state(state: dict) -> None:
    path = state_file()
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        json.dump(state, out, indent=2)
    os.replace(tmp, path)


def alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().split(")")[-1].split()[0] == "Z")


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    try:
        for s in sockets:
            s.bind((HOST, 0))
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def bootstrap(state: dict, listener: str = "CLIENT") -> str:
    return ",".join(f"{HOST}:{state['nodes'][str(n)]['ports'][listener]}" for n in NODES)


# --- set-up --------------------------------------------------------------------------------


def make_pki(folder: Path) -> dict[str, str]:
    """A CA and a server certificate for 127.0.0.1; the server's PEM keystore (key + chain)."""
    openssl = shutil.which("openssl")
    if not openssl:
        raise ClusterError("the openssl command line tool is needed for the TLS listener")
    folder.mkdir(parents=True, exist_ok=True)

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], check=True, capture_output=True, cwd=folder)

    ec = ("-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes")
    run(
        "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "365",
        "-subj", "/CN=newsmon local kafka CA",
        "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    )  # fmt: skip
    (folder / "server.ext").write_text(
        "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n"
        "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n"
    )
    run("req", *ec, "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1")
    run(
        "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "365", "-extfile", "server.ext",
    )  # fmt: skip
    run("pkcs8", "-topk8", "-nocrypt", "-in", "server.key", "-out", "server.pk8")
    keystore = folder / "keystore.pem"
    keystore.write_text((folder / "server.pk8").read_text() + (folder / "server.pem").read_text())
    for path in folder.iterdir():
        path.chmod(0o600)
    return {"ca": str(folder / "ca.pem"), "keystore": str(keystore)}


def properties(state: dict, node: int) -> str:
    ports = state["nodes"][str(node)]["ports"]
    voters = ",".join(f"{n}@{HOST}:{state['nodes'][str(n)]['ports']['CONTROLLER']}" for n in NODES)
    values = {
        **BROKER_DEFAULTS,
        "node.id": str(node),
        "controller.quorum.voters": voters,
        "listeners": ",".join(f"{name}://{HOST}:{ports[name]}" for name in LISTENERS),
        "advertised.listeners": ",".join(
            f"{name}://{HOST}:{ports[name]}" for name in LISTENERS if name != "CONTROLLER"
        ),
        "log.dirs": state["nodes"][str(node)]["data"],
        "num.partitions": "4",
        "ssl.keystore.type": "PEM",
        "ssl.keystore.location": state["tls"]["keystore"],
        "listener.name.secure.scram-sha-512.sasl.jaas.config": (
            "org.apache.kafka.common.security.scram.ScramLoginModule required;"
        ),
    }
    return "".join(f"{key}={value}\n" for key, value in values.items())


def create(fresh: bool) -> dict:
    """Formats three nodes (new ports, cluster id, SCRAM user, certificates)."""
    if fresh:
        for name in ("data", "config", "tls", "logs"):
            shutil.rmtree(HOME / name, ignore_errors=True)
    ports = free_ports(len(NODES) * len(LISTENERS))
    state: dict = {
        "kafka_version": kafka_version(),
        "cluster_id": base64_uuid(),
        "tls": make_pki(HOME / "tls"),
        "scram": {
            "mechanism": "SCRAM-SHA-512",
            "username": SCRAM_USER,
            "password": secrets.token_urlsafe(18),
        },
        "nodes": {},
    }
    for i, node in enumerate(NODES):
        chunk = ports[i * len(LISTENERS) : (i + 1) * len(LISTENERS)]
        state["nodes"][str(node)] = {
            "ports": dict(zip(LISTENERS, chunk, strict=True)),
            "data": str(HOME / "data" / f"node-{node}"),
            "config": str(HOME / "config" / f"node-{node}.properties"),
            "log": str(HOME / "logs" / f"node-{node}.log"),
            "pid": None,
        }
    (HOME / "config").mkdir(parents=True, exist_ok=True)
    (HOME / "logs").mkdir(parents=True, exist_ok=True)
    scram = state["scram"]
    user = f"{scram['mechanism']}=[name={scram['username']},password={scram['password']}]"
    for node in NODES:
        config = Path(state["nodes"][str(node)]["config"])
        config.write_text(properties(state, node), encoding="utf-8")
        config.chmod(0o600)
        result = run_tool(
            "kafka.tools.StorageTool", "format", "-t", state["cluster_id"], "-c", str(config),
            "--add-scram", user, "--ignore-formatted",
        )  # fmt: skip
        if result.returncode != 0:
            raise ClusterError(f"formatting node {node} failed:\n{result.stderr[-2000:]}")
    save_state(state)
    return state


def base64_uuid() -> str:
    import base64

    return base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")


# --- processes -----------------------------------------------------------------------------


def start_node(state: dict, node: int) -> None:
    info = state["nodes"][str(node)]
    if alive(info.get("pid")):
        return
    log = Path(info["log"])
    with log.open("ab") as out:
        process = subprocess.Popen(
            [java(), "-cp", str(HOME / "lib" / "*"), *jvm_flags(log.parent), "kafka.Kafka",
             info["config"]],
            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True,
        )  # fmt: skip
    info["pid"] = process.pid
    save_state(state)


def wait_ready(state: dict, timeout: float = 180.0, nodes: tuple[int, ...] = NODES) -> None:
    """Until every node's client port answers and the cluster counts all its brokers."""
    deadline = time.monotonic() + timeout
    for node in nodes:
        info = state["nodes"][str(node)]
        while not port_open(info["ports"]["CLIENT"]):
            if not alive(info["pid"]):
                tail = Path(info["log"]).read_text(errors="replace")[-3000:]
                raise ClusterError(f"node {node} exited while starting:\n{tail}")
            if time.monotonic() > deadline:
                raise ClusterError(f"node {node} not listening after {timeout:.0f} s")
            time.sleep(0.3)
    while len(registered(state)) < len(NODES):
        if time.monotonic() > deadline:
            raise ClusterError(f"only brokers {registered(state)} registered after {timeout} s")
        time.sleep(0.5)


def registered(state: dict) -> list[int]:
    """The broker ids the cluster's metadata lists (kafka-python, when importable)."""
    try:
        from kafka import KafkaAdminClient
    except ImportError:
        return list(NODES)
    try:
        admin = KafkaAdminClient(bootstrap_servers=bootstrap(state), request_timeout_ms=5000)
    except Exception:  # not up yet: asked again
        return []
    try:
        brokers = admin.describe_cluster()["brokers"]
        return sorted(b["broker_id"] for b in brokers if not b.get("is_fenced"))
    except Exception:  # a broker went away mid-request: asked again
        return []
    finally:
        admin.close()


def active_controller(state: dict) -> int:
    """The node id of the KRaft quorum's leader, from Kafka's metadata-quorum tool."""
    live = [n for n in NODES if alive(state["nodes"][str(n)].get("pid"))]
    server = f"{HOST}:{state['nodes'][str(live[0])]['ports']['CLIENT']}"
    result = run_tool(
        "org.apache.kafka.tools.MetadataQuorumCommand", "--bootstrap-server", server,
        "describe", "--status",
    )  # fmt: skip
    for line in result.stdout.splitlines():
        if line.startswith("LeaderId:"):
            return int(line.split(":", 1)[1])
    raise ClusterError(f"no quorum leader in the tool's answer:\n{result.stderr[-2000:]}")


def port_open(port: int) -> bool:
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


def stop_node(state: dict, node: int, kill: bool = False, timeout: float = 60.0) -> None:
    info = state["nodes"][str(node)]
    pid = info.get("pid")
    if alive(pid):
        os.killpg(pid, signal.SIGKILL if kill else signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while alive(pid) and time.monotonic() < deadline:
            reap(pid)
            time.sleep(0.2)
        if alive(pid):
            os.killpg(pid, signal.SIGKILL)
        while alive(pid):
            reap(pid)
            time.sleep(0.1)
    info["pid"] = None
    save_state(state)


def reap(pid: int) -> None:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def running(state: dict | None) -> bool:
    return bool(state) and all(alive(state["nodes"][str(n)].get("pid")) for n in NODES)


# --- commands ------------------------------------------------------------------------------


def start(fresh: bool = False) -> dict:
    HOME.mkdir(parents=True, exist_ok=True)
    HOME.chmod(0o700)
    state = load_state()
    if running(state) and not fresh and state.get("kafka_version") == kafka_version():
        wait_ready(state)
        return state
    if state:
        for node in NODES:
            stop_node(state, node)
    fetch()
    began = time.monotonic()
    state = create(fresh=True)
    for node in NODES:
        start_node(state, node)
    wait_ready(state)
    state["started_in_s"] = round(time.monotonic() - began, 1)
    save_state(state)
    say(f"Apache Kafka {state['kafka_version']}, 3 KRaft nodes ready in {state['started_in_s']} s")
    say(f"SASL_SSL (SCRAM-SHA-512) bootstrap: {bootstrap(state, 'SECURE')}")
    say(f"user, password and CA file: {state_file()}")
    return state


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("fetch", help="resolve the jars with Maven")
    begin = sub.add_parser("start", help="start (or find running) the cluster")
    begin.add_argument("--fresh", action="store_true", help="new data even if it runs")
    sub.add_parser("stop", help="stop every node")
    sub.add_parser("info", help="print the state file (JSON)")
    sub.add_parser("controller", help="print the active controller's node id")
    for name in ("kill", "restart"):
        one = sub.add_parser(name, help=f"{name} one node")
        one.add_argument("node", type=int, choices=NODES)
    args = parser.parse_args(argv)
    try:
        if args.command == "fetch":
            print(fetch())
        elif args.command == "start":
            print(f"bootstrap: {bootstrap(start(args.fresh))}", flush=True)
        elif args.command == "info":
            state = load_state()
            if not state:
                raise ClusterError("no cluster: run `make kafka`")
            print(json.dumps({**state, "running": running(state)}, indent=2))
        else:
            state = load_state()
            if not state:
                raise ClusterError("no cluster: run `make kafka`")
            if args.command == "stop":
                for node in NODES:
                    stop_node(state, node)
                say("stopped")
            elif args.command == "controller":
                print(active_controller(state))
            elif args.command == "kill":
                stop_node(state, args.node, kill=True)
            else:
                start_node(state, args.node)
                wait_ready(state, nodes=(args.node,))
    except ClusterError as exc:
        print(f"kafka: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
