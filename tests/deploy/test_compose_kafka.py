"""docker-compose.yml runs the Kafka cluster the real-Kafka tests prove newsmon against:
`deploy/kafka/cluster.py` (3 KRaft nodes, broker and controller each, `BROKER_DEFAULTS`)
at the version pinned in `deploy/kafka/pom.xml`. The compose nodes must carry the same broker
settings, listener names and quorum, and newsmon's processes the matching client settings."""

from __future__ import annotations

import base64
import importlib.util
import re
import xml.etree.ElementTree as ET
from types import ModuleType

import pytest

from streams.settings import Settings, bootstrap_servers
from tests.deploy.composefile import (
    COMPOSE,
    KAFKA_NODES,
    ROOT,
    environment,
    listeners,
    named_volumes,
    protocol_map,
    published_ports,
    script,
    with_defaults,
)

CLUSTER_SCRIPT = ROOT / "deploy" / "kafka" / "cluster.py"
POM = ROOT / "deploy" / "kafka" / "pom.xml"
KAFKA_IMAGE = "apache/kafka"

# Listeners compose has and cluster.py has not: EXTERNAL, for tools on the Docker host (the
# cluster's nodes listen on loopback already), published on 127.0.0.1 only. cluster.py's SECURE
# (SASL_SSL) stays in the protocol map but is not opened: compose makes no certificates or
# SCRAM users.
COMPOSE_ONLY_LISTENERS = {"EXTERNAL": "PLAINTEXT"}
REQUIRED_LISTENERS = {"CLIENT", "INTERNAL", "CONTROLLER"}

# The apache/kafka image's KafkaDockerWrapper writes every other KAFKA_* variable as a broker
# property; these are read by the start scripts instead (HEAP_OPTS appears as HEAP_OPT in its
# exclusion list, so it may also land in server.properties as an unused `heap.opts`).
NOT_BROKER_PROPERTIES = {
    "KAFKA_VERSION",
    "KAFKA_HEAP_OPTS",
    "KAFKA_LOG4J_OPTS",
    "KAFKA_OPTS",
    "KAFKA_JMX_OPTS",
    "KAFKA_JVM_PERFORMANCE_OPTS",
    "KAFKA_GC_LOG_OPTS",
    "KAFKA_LOG4J_ROOT_LOGLEVEL",
    "KAFKA_LOG4J_LOGGERS",
    "KAFKA_TOOLS_LOG4J_LOGLEVEL",
    "KAFKA_JMX_HOSTNAME",
}


@pytest.fixture(scope="module")
def cluster() -> ModuleType:
    """deploy/kafka/cluster.py as a module (standard library only at import)."""
    spec = importlib.util.spec_from_file_location("newsmon_kafka_cluster", CLUSTER_SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def pom_kafka_version() -> str:
    namespace = {"m": "http://maven.apache.org/POM/4.0.0"}
    version = ET.parse(POM).getroot().find("m:properties/m:kafka.version", namespace)
    assert version is not None and version.text, f"no <kafka.version> in {POM}"
    return version.text.strip()


def broker_properties(env: dict[str, str]) -> dict[str, str]:
    """What the apache/kafka image writes to server.properties from the environment:
    KAFKA_FOO_BAR -> foo.bar, `___` -> `-`, `__` -> `_`."""
    props = {}
    for key, value in env.items():
        if key.startswith("KAFKA_") and key not in NOT_BROKER_PROPERTIES:
            name = key.removeprefix("KAFKA_").lower().replace("_", ".")
            props[name.replace("...", "-").replace("..", "_")] = value
    return props


def cluster_properties(cluster: ModuleType, node: int) -> dict[str, str]:
    """The properties cluster.py writes for `node`, from a made-up state."""
    ports = iter(range(20000, 20100))
    state = {
        "tls": {"keystore": "/tls/keystore.pem"},
        "nodes": {
            str(n): {"ports": {name: next(ports) for name in cluster.LISTENERS}, "data": f"/d/{n}"}
            for n in cluster.NODES
        },
    }
    lines = cluster.properties(state, node).splitlines()
    return dict(line.split("=", 1) for line in lines if line)


@pytest.fixture(scope="module")
def nodes(services: dict) -> dict[str, dict]:
    return {name: services[name] for name in KAFKA_NODES}


@pytest.fixture(scope="module")
def node_props(nodes: dict[str, dict]) -> dict[str, dict[str, str]]:
    return {name: broker_properties(environment(node)) for name, node in nodes.items()}


def client_addresses(nodes: dict[str, dict]) -> set[str]:
    """`host:port` of every node's CLIENT listener as advertised to the compose network."""
    found = set()
    for node in nodes.values():
        advertised = listeners(environment(node)["KAFKA_ADVERTISED_LISTENERS"])
        found.add(advertised["CLIENT"])
    return found


# --- the nodes


def test_three_kafka_nodes_and_no_single_broker(services: dict, cluster: ModuleType) -> None:
    kafka = {
        name
        for name, service in services.items()
        if str(service.get("image", "")).startswith(f"{KAFKA_IMAGE}:") and name != "kafka-init"
    }
    assert kafka == set(KAFKA_NODES)
    assert len(KAFKA_NODES) == len(cluster.NODES)
    assert "kafka" not in services
    assert "zookeeper" not in COMPOSE.read_text(encoding="utf-8").lower()


def test_kafka_image_is_the_pom_version(services: dict, cluster: ModuleType) -> None:
    version = pom_kafka_version()
    assert version == cluster.kafka_version()
    images = {
        name: service["image"]
        for name, service in services.items()
        if str(service.get("image", "")).startswith(f"{KAFKA_IMAGE}:")
    }
    assert set(KAFKA_NODES) <= set(images)
    for name, image in images.items():
        assert image == f"{KAFKA_IMAGE}:{version}", f"{name}: {image}, the pom pins {version}"


def test_every_broker_default_on_every_node(node_props: dict, cluster: ModuleType) -> None:
    for name, props in node_props.items():
        for key, value in cluster.BROKER_DEFAULTS.items():
            assert key in props, f"{name}: {key} missing (KAFKA_{key.upper().replace('.', '_')})"
            if key == "listener.security.protocol.map":
                expected = {**protocol_map(value), **COMPOSE_ONLY_LISTENERS}
                assert protocol_map(props[key]) == expected, f"{name}: {key}"
            else:
                assert props[key] == value, f"{name}: {key}={props[key]}, cluster.py: {value}"


def test_node_properties_are_properties_of_the_cluster_script(
    node_props: dict, cluster: ModuleType
) -> None:
    """No property that the tested cluster lacks (a typo would be one)."""
    known = set(cluster_properties(cluster, cluster.NODES[0]))
    for name, props in node_props.items():
        unknown = sorted(set(props) - known)
        assert not unknown, f"{name}: not set by deploy/kafka/cluster.py: {unknown}"


def test_node_ids_and_quorum_voters(nodes: dict, node_props: dict, cluster: ModuleType) -> None:
    ids = {name: int(props["node.id"]) for name, props in node_props.items()}
    assert sorted(ids.values()) == list(cluster.NODES)
    assert all(name == f"kafka-{node_id}" for name, node_id in ids.items())
    voters = {props["controller.quorum.voters"] for props in node_props.values()}
    assert len(voters) == 1, f"the nodes disagree on the quorum: {voters}"
    parsed = {}
    for voter in voters.pop().split(","):
        match = re.fullmatch(r"(\d+)@([\w.-]+):(\d+)", voter.strip())
        assert match, voter
        parsed[int(match.group(1))] = (match.group(2), match.group(3))
    assert sorted(parsed) == list(cluster.NODES)
    for name, props in node_props.items():
        host, port = parsed[ids[name]]
        assert host == nodes[name].get("hostname", name)
        controller = listeners(props["listeners"])[props["controller.listener.names"]]
        assert controller.rsplit(":", 1)[1] == port, f"{name}: voter port {port}, {controller}"


def test_one_cluster_id(nodes: dict) -> None:
    ids = {environment(node)["CLUSTER_ID"] for node in nodes.values()}
    assert len(ids) == 1, ids
    cluster_id = ids.pop()
    assert len(base64.urlsafe_b64decode(cluster_id + "==")) == 16, "a base64url UUID"


def test_listener_names_are_those_of_the_cluster_script(
    nodes: dict, node_props: dict, cluster: ModuleType
) -> None:
    allowed = set(cluster.LISTENERS) | set(COMPOSE_ONLY_LISTENERS)
    for name, props in node_props.items():
        own = listeners(props["listeners"])
        advertised = listeners(props["advertised.listeners"])
        assert REQUIRED_LISTENERS <= set(own) <= allowed, f"{name}: {sorted(own)}"
        assert set(own) <= set(protocol_map(props["listener.security.protocol.map"]))
        assert props["controller.listener.names"] == "CONTROLLER"
        assert props["inter.broker.listener.name"] == "INTERNAL"
        # as in cluster.py: every listener but the controller's is advertised
        assert set(advertised) == set(own) - {"CONTROLLER"}, f"{name}: {sorted(advertised)}"
        hostname = nodes[name].get("hostname", name)
        for listener in ("CLIENT", "INTERNAL"):
            host, port = advertised[listener].rsplit(":", 1)
            assert host == hostname, f"{name}: {listener} advertised as {advertised[listener]}"
            assert own[listener].rsplit(":", 1)[1] == port
    used = " ".join(
        f"{props['listeners']} {props['advertised.listeners']}" for props in node_props.values()
    )
    assert "PLAINTEXT://" not in used, "listeners are named as in cluster.py, not PLAINTEXT"


def test_external_listener_is_published_on_loopback(nodes: dict, node_props: dict) -> None:
    seen = set()
    for name, props in node_props.items():
        if "EXTERNAL" not in listeners(props["listeners"]):
            continue
        port = listeners(props["listeners"])["EXTERNAL"].rsplit(":", 1)[1]
        advertised = listeners(props["advertised.listeners"])["EXTERNAL"]
        assert advertised == f"127.0.0.1:{port}", f"{name}: EXTERNAL advertised as {advertised}"
        published = [p for p in published_ports(nodes[name]) if p.target == port]
        assert len(published) == 1, f"{name}: EXTERNAL port {port} not published"
        assert published[0].host_ip == "127.0.0.1" and published[0].published == port
        seen.add(port)
        assert len(published_ports(nodes[name])) == 1, f"{name}: only EXTERNAL is published"
    assert len(seen) in (0, len(nodes)), "every node or none has an EXTERNAL listener"


def test_a_data_volume_per_node(compose: dict, nodes: dict, node_props: dict) -> None:
    volumes = {}
    for name, node in nodes.items():
        mounted = dict((target, source) for source, target in named_volumes(node))
        log_dir = node_props[name]["log.dirs"]
        assert log_dir in mounted, f"{name}: no named volume on {log_dir}"
        volumes[name] = mounted[log_dir]
    assert len(set(volumes.values())) == len(nodes), volumes
    assert set(volumes.values()) <= set(compose.get("volumes") or {})


def test_every_node_has_a_healthcheck_on_its_client_listener(nodes: dict, node_props: dict) -> None:
    for name, node in nodes.items():
        port = listeners(node_props[name]["listeners"])["CLIENT"].rsplit(":", 1)[1]
        test = script(node["healthcheck"]["test"])
        assert "kafka-broker-api-versions.sh" in test
        assert f"--bootstrap-server localhost:{port}" in test
        assert node.get("restart") == "unless-stopped"


def test_shared_settings_are_written_once() -> None:
    """The shared environment is an anchor, not three copies."""
    text = COMPOSE.read_text(encoding="utf-8")
    for key in ("KAFKA_MIN_INSYNC_REPLICAS", "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "CLUSTER_ID"):
        assert len(re.findall(rf"^\s*{key}:", text, flags=re.M)) == 1, key
    assert "<<: *" in text


# --- newsmon's processes


@pytest.mark.parametrize("name", ["worker", "ingest"])
def test_newsmon_reaches_every_node_with_the_kafka_profile(
    services: dict, nodes: dict, cluster: ModuleType, name: str
) -> None:
    env = environment(services[name])
    assert env["NEWSMON_BROKER"].startswith("kafka://")
    assert set(bootstrap_servers(env["NEWSMON_BROKER"]).split(",")) == client_addresses(nodes)
    assert env["NEWSMON_BROKER_PROFILE"] == "kafka"
    assert (
        env["NEWSMON_REPLICATION_FACTOR"] == cluster.BROKER_DEFAULTS["default.replication.factor"]
    )
    # what the process reads (shell variables unset)
    settings = Settings.from_env(with_defaults(env))
    assert settings.broker_profile == "kafka"
    assert settings.replication_factor == int(cluster.BROKER_DEFAULTS["default.replication.factor"])
    assert settings.replication_factor > int(cluster.BROKER_DEFAULTS["min.insync.replicas"])


def test_worker_and_ingest_use_the_same_broker(services: dict) -> None:
    keys = ("NEWSMON_BROKER", "NEWSMON_BROKER_PROFILE", "NEWSMON_REPLICATION_FACTOR")
    worker, ingest = environment(services["worker"]), environment(services["ingest"])
    assert {k: worker[k] for k in keys} == {k: ingest[k] for k in keys}


def test_kafka_init_creates_topics_with_the_workers_broker_and_replication_factor(
    services: dict, nodes: dict
) -> None:
    init, worker = environment(services["kafka-init"]), environment(services["worker"])
    for key in ("NEWSMON_BROKER", "NEWSMON_BROKER_PROFILE", "NEWSMON_REPLICATION_FACTOR"):
        assert init[key] == worker[key], key
    depends = services["kafka-init"]["depends_on"]
    for name in nodes:
        assert depends[name]["condition"] == "service_healthy"
