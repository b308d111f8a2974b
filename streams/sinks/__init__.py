"""`newsmon deliver`: alerts to webhooks and chat, each sink in its own consumer group.

| module | owns |
| --- | --- |
| `config.py` | `sinks.toml`: parsed and checked (a mistake names the sink and the key) |
| `filters.py` | which alerts a sink wants (pure) |
| `payloads.py` | the webhook body and its signature, the chat line, dead letters (pure) |
| `deliver.py` | one alert over HTTP with the retry policy (clock and sleep given) |
| `runner.py` | the Kafka side: consumers, commits, dead letters, stopping |
| `metrics.py` | Prometheus counters, histogram and gauge per sink |
"""
