"""The extract agent's work: `articles` -> validate -> dead letter, or extract (batches
through `nlp.pipe`) -> `events`, keyed by the event's identity block
(`identity.block_key`), with the headers of `headers.py`.

Validation and the dead-letter record are pure (`streams/dlq.py`); this module sends them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from faust.types import EventT

from ..articles import Article, InvalidArticle
from ..dlq import dead_letter, validate
from ..identity import block_key
from ..resolve import in_resolution_order
from .context import Context, log
from .headers import article_headers, origin_of

BATCH = 16  # articles per extraction batch
BATCH_WAIT = 0.02  # seconds a batch waits to fill up (a full batch goes at once)


async def handle_batch(ctx: Context, batch: Sequence[EventT]) -> None:
    """Up to BATCH articles through `nlp.pipe` at once; when the batch fails, its articles
    one by one, so an extraction error dead-letters only its own article."""
    valid = await _validate(ctx, batch)
    if not valid:
        return
    loop = asyncio.get_running_loop()
    try:
        found = await loop.run_in_executor(
            ctx.extractor, ctx.extract_all, [article for _, article in valid]
        )
    except Exception:
        log.warning("a batch failed to extract: retrying its articles one by one")
        for event, article in valid:
            await extract_one(ctx, event, article)
        return
    for (event, article), (events, seconds) in zip(valid, found, strict=True):
        ctx.metrics.extraction.observe(seconds)  # the article's own time, not the mean
        await publish_events(ctx, event, article, events)


async def _validate(ctx: Context, batch: Sequence[EventT]) -> list[tuple[EventT, Article]]:
    """The batch's articles; the messages that are none are dead-lettered, in order."""
    valid: list[tuple[EventT, Article]] = []
    for event in batch:
        ctx.metrics.consumed.inc()
        result = validate(event.message.value, ctx.settings.max_text_bytes)
        if isinstance(result, InvalidArticle):
            await reject(ctx, event, result)
        else:
            valid.append((event, result))
    return valid


async def extract_one(ctx: Context, event: EventT, article: Article) -> None:
    """One article on its own: an extraction error dead-letters it alone."""
    loop = asyncio.get_running_loop()
    try:
        ((found, seconds),) = await loop.run_in_executor(ctx.extractor, ctx.extract_all, [article])
    except Exception as exc:
        log.exception("extraction failed for %s", article.id)
        await reject(ctx, event, InvalidArticle("extraction_failed", repr(exc)))
        return
    ctx.metrics.extraction.observe(seconds)
    await publish_events(ctx, event, article, found)


async def publish_events(ctx: Context, event: EventT, article: Article, found: list[dict]) -> None:
    """The article's events on the events topic, in resolution order."""
    headers = article_headers(article, origin_of(event), event.message.timestamp)
    for item in in_resolution_order(found):
        ctx.metrics.extracted(item)
        key = block_key(item).encode()
        await ctx.topics.events.send(key=key, value=item, headers=headers)


async def reject(ctx: Context, event: EventT, error: InvalidArticle) -> None:
    """The message as a dead letter (`dlq.dead_letter`) on the DLQ topic."""
    m = event.message
    letter = dead_letter(
        error,
        topic=m.topic,
        partition=m.partition,
        offset=m.offset,
        value=m.value,
        key=m.key,
        timestamp=m.timestamp,
    )
    log.info("dead letter %s: %s", origin_of(event), error.reason)
    ctx.metrics.reject(error.reason)
    await ctx.topics.dlq.send(key=m.key, value=letter)
