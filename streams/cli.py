"""The `newsmon` command: argument parsing and output only; the work lives elsewhere."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import __version__
from .articles import Article, InvalidArticle, from_json, read_jsonl, read_text_file

SAMPLES = Path(__file__).with_name("data") / "samples.jsonl"
EXIT_OK, EXIT_BAD_INPUT, EXIT_USAGE = 0, 1, 2

err = Console(stderr=True)


class InputReport:
    """Counts what was read and prints each bad record to stderr."""

    def __init__(self) -> None:
        self.bad = 0

    def reject(self, where: str, reason: str) -> None:
        self.bad += 1
        err.print(f"[yellow]skipped[/] {where}: {reason}", highlight=False, markup=True)


def iter_articles(path: str, text_mode: bool, report: InputReport) -> Iterator[Article]:
    """Articles from a JSONL file, stdin ('-'), a folder of JSONL files, or with
    `text_mode` a plain-text file or a folder of them (the file name is the id)."""
    if path == "-":
        for number, line in enumerate(sys.stdin.buffer, 1):
            if line.strip():
                try:
                    yield from_json(line)
                except InvalidArticle as exc:
                    report.reject(f"<stdin>:{number}", str(exc))
        return
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"no such file or folder: {path}")
    files = sorted(f for f in p.iterdir() if f.is_file()) if p.is_dir() else [p]
    for file in files:
        if text_mode:
            try:
                yield read_text_file(file)
            except (InvalidArticle, UnicodeDecodeError) as exc:
                report.reject(str(file), str(exc))
            continue
        if p.is_dir() and file.suffix != ".jsonl":
            continue
        for number, item in read_jsonl(file):
            if isinstance(item, InvalidArticle):
                report.reject(f"{file}:{number}", str(item))
            else:
                yield item


def cmd_extract(args: argparse.Namespace) -> int:
    from .extract import Extractor

    report = InputReport()
    extractor = Extractor(args.model)
    articles = iter_articles(args.path, args.text, report)
    rows: list[dict] = []
    count = 0
    with _progress(enabled=err.is_terminal and not args.pretty) as progress:
        task = progress.add_task("extracting", total=None)
        for _, events in extractor.extract_many(articles):
            count += 1
            progress.advance(task)
            if args.pretty:
                rows.extend(events)
                continue
            for event in events:
                sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")
    if args.pretty:
        Console().print(events_table(rows))
    err.print(f"{count} articles read, {report.bad} skipped", highlight=False)
    return EXIT_BAD_INPUT if report.bad else EXIT_OK


def _progress(enabled: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        disable=not enabled,
        transient=True,
    )


def events_table(events: list[dict]) -> Table:
    table = Table(title=f"{len(events)} events", show_lines=False)
    for column in ("article", "type", "who", "where / accused", "status / accusers", "when / denied"):
        table.add_column(column)
    for e in events:
        if e["type"] == "leader_visit":
            v, h = e["visitor"], e["host"]
            where = h["country"] + (f" ({h['city']})" if h["city"] else "")
            if h["leader"]:
                where += f", meets {h['leader']}"
            who = f"{v['title'] + ' ' if v['title'] else ''}{v['name']} ({v['country']})"
            table.add_row(e["article_id"], "visit", who, where, e["status"], e["when"] or "")
        else:
            accused = e["accused"]
            if e["counterparties"]:
                accused += " -> " + ", ".join(e["counterparties"])
            table.add_row(
                e["article_id"],
                "sanctions",
                e["subject"],
                accused,
                ", ".join(e["accusers"]),
                "denied" if e["denied"] else "",
            )
    return table


def cmd_demo(args: argparse.Namespace) -> int:
    """Runs the extractor over the bundled sample articles (the streaming demo comes with
    the worker)."""
    from .extract import Extractor

    report = InputReport()
    extractor = Extractor(args.model)
    events: list[dict] = []
    articles = list(iter_articles(str(SAMPLES), False, report))
    for _, found in extractor.extract_many(articles):
        events.extend(found)
    Console().print(events_table(events))
    err.print(f"{len(articles)} sample articles, {len(events)} events", highlight=False)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsmon", description="Streaming news event monitor")
    parser.add_argument("--version", action="version", version=f"newsmon {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("extract", help="extract events from articles to JSON Lines on stdout")
    p.add_argument("path", nargs="?", default="-", help="JSONL file, folder, or - for stdin")
    p.add_argument("--text", action="store_true", help="read plain-text file(s) instead")
    p.add_argument("--pretty", action="store_true", help="print a readable table instead")
    p.add_argument("--model", help="spaCy model name (default: NEWSMON_SPACY_MODEL)")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("demo", help="run the monitor on the bundled sample articles")
    p.add_argument("--model", help="spaCy model name (default: NEWSMON_SPACY_MODEL)")
    p.set_defaults(func=cmd_demo)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except FileNotFoundError as exc:
        err.print(f"newsmon: {exc}", highlight=False)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
