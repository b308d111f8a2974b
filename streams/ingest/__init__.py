"""`newsmon ingest`: RSS and Atom feeds and their article pages into the articles topic.

| module | owns |
| --- | --- |
| `config.py` | `NEWSMON_INGEST_*` settings, `feeds.toml`, feed URLs |
| `fetch.py` | HTTP: conditional requests, redirects, size and time caps, backoff |
| `feeds.py` | feedparser on fetched bytes: entries with keys, dates, language |
| `text.py` | main text (trafilatura), canonical URL, language, URL normalisation, ids |
| `state.py` | what was seen, on disk (SQLite), across restarts |
| `ingest.py` | the loop: poll, fetch, build, publish, record |
| `metrics.py` | Prometheus counters |
| `command.py` | the command line's output and exit codes |
| `demo.py`, `data/demo/` | `newsmon demo --feeds`: bundled feeds to alerts on this machine |
"""
