"""The local Apache Kafka cluster of `make kafka` (`deploy/kafka/cluster.py`), as the tests
see it: its addresses, its SCRAM user, and nodes to kill and restart."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from kafka import KafkaAdminClient

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = [sys.executable, str(ROOT / "deploy" / "kafka" / "cluster.py")]


def _run(*args: str, timeout: float = 600.0) -> str:
    result = subprocess.run(
        [*SCRIPT, *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    assert result.returncode == 0, f"cluster.py {' '.join(args)}:\n{result.stderr[-3000:]}"
    return result.stdout


@dataclass
class KafkaCluster:
    state: dict

    @classmethod
    def start(cls) -> KafkaCluster:
        """The running cluster (started first when it is not)."""
        _run("start")
        return cls(json.loads(_run("info")))

    def addresses(self, listener: str = "CLIENT") -> str:
        return ",".join(
            f"127.0.0.1:{node['ports'][listener]}" for node in self.state["nodes"].values()
        )

    @property
    def bootstrap(self) -> str:
        return self.addresses()

    @property
    def url(self) -> str:
        return f"kafka://{self.bootstrap}"

    @property
    def secure_url(self) -> str:
        """SASL_SSL with SCRAM-SHA-512; the user is `scram`, the CA `ca`."""
        return f"kafka://{self.addresses('SECURE')}"

    @property
    def scram(self) -> dict:
        return self.state["scram"]

    @property
    def ca(self) -> str:
        return self.state["tls"]["ca"]

    def kill(self, node: int) -> None:
        _run("kill", str(node))

    def restart(self, node: int) -> None:
        """Starts a killed node again; returns when the cluster counts it again."""
        _run("restart", str(node))

    def controller(self) -> int:
        return int(_run("controller").strip())

    def partitions(self, *topics: str) -> list[dict]:
        """The partitions of `topics` as the cluster describes them (leader, replicas, ISR)."""
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap)
        try:
            described = admin.describe_topics(list(topics))
        finally:
            admin.close()
        return [p for t in described for p in t["partitions"]]

    def leaders(self, *topics: str) -> Counter:
        """How many partitions of `topics` each node leads."""
        return Counter(p["leader_id"] for p in self.partitions(*topics))

    def fully_replicated(self, *topics: str) -> bool:
        """Every partition of `topics` has all its replicas in sync."""
        return all(len(p["isr_nodes"]) == len(p["replica_nodes"]) for p in self.partitions(*topics))
