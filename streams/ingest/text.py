"""Text out of HTML: the main text of an article page (trafilatura), its canonical URL and
declared language (lxml), and plain text of a feed's HTML summary (standard library).
Also URL normalisation and the article id made from a URL."""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import logging
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import SplitResult, unquote_plus, urljoin, urlsplit

import courlan
import lxml.html
import trafilatura
from lxml.etree import ParserError

# trafilatura logs "empty HTML" and the like at WARNING; a page without a body is
# an expected case here (the summary is used), counted in the metrics instead
logging.getLogger("trafilatura").setLevel(logging.ERROR)

MAX_ID_CHARS = 512  # schemas/article.v1.json
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid"})
DEFAULT_PORTS = {"http": 80, "https": 443}
BLOCK_TAGS = frozenset(
    {
        "p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr",
        "blockquote", "pre", "section", "article", "header", "footer", "table", "hr",
        "figcaption", "dd", "dt",
    }
)  # fmt: skip
SKIP_TAGS = frozenset({"script", "style", "noscript", "template"})
LANGUAGE = re.compile(r"[A-Za-z]{2,3}")


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in SKIP_TAGS:
            self.skipping += 1
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIP_TAGS:
            self.skipping = max(0, self.skipping - 1)
        elif tag in BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(fragment: str | None) -> str:
    """Plain text of an HTML fragment (or of plain text): entities decoded, scripts
    dropped, one line per block, runs of spaces collapsed."""
    if not fragment:
        return ""
    parser = _TextParser()
    parser.feed(fragment)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def language_tag(value: str | None) -> str | None:
    """`en-US`, `EN_gb`, `en` -> `en`; anything that is not a language tag -> None."""
    if not value:
        return None
    primary = re.split(r"[-_]", value.strip(), maxsplit=1)[0]
    return primary.lower() if LANGUAGE.fullmatch(primary) else None


def normalize_url(url: str) -> str:
    """The form of an http(s) URL used in ids and keys: courlan's normalisation (lower-case
    scheme and host, punycode hosts decoded, the path percent-encoded one way, `//` and
    leading `/..` collapsed) of the URL without its user info (`user:pw@`), default port
    and fragment, `/` for an empty path; the query keeps its order and encoding (`%20`
    stays `%20`) but loses `utm_*` and click-id parameters (courlan's own query cleaning
    would sort it, turn `%20` into `+` and drop more, `source` or `ref` for instance).
    ValueError for what is not an http(s) URL with a host (a bad port, a broken IPv6
    literal)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = parts.hostname  # lower-case, without brackets or user info
    port = parts.port  # ValueError when it is not a port
    if scheme not in DEFAULT_PORTS or not host:
        raise ValueError(f"not an http(s) URL with a host: {url!r}")
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and port != DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    query = "&".join(
        pair for pair in parts.query.split("&") if pair and not _tracking(pair.split("=", 1)[0])
    )
    bare = courlan.normalize_url(SplitResult(scheme, netloc, parts.path or "/", "", ""))
    return f"{bare}?{query}" if query else bare


def _tracking(name: str) -> bool:
    name = unquote_plus(name).strip().lower()
    return name.startswith("utm_") or name in TRACKING_PARAMS


def article_id(value: str) -> str:
    """The article id of a canonical URL (normalised) or a GUID; ids longer than the
    schema allows become `sha256:<hex>` of the same value. A URL that cannot be
    normalised is taken as it is, like a GUID."""
    with contextlib.suppress(ValueError):
        value = normalize_url(value)
    value = value.strip()
    if len(value) > MAX_ID_CHARS:
        return "sha256:" + hashlib.sha256(value.encode("utf-8")).hexdigest()
    return value


@dataclass(frozen=True)
class Page:
    text: str  # "" when the page has no main text
    canonical: str | None
    language: str | None
    title: str | None


def extract_page(content: bytes, url: str, charset: str | None = None) -> Page:
    """The main text (trafilatura), `<link rel=canonical>` (absolute, http(s) only, not a
    site's root), `<html lang>` (or content-language meta) and `<title>` of a page."""
    tree = _parse(content, charset)
    if tree is None:
        return Page(text="", canonical=None, language=None, title=None)
    canonical, language, title = _canonical(tree, url), _language(tree), _title(tree)
    text = trafilatura.extract(
        tree, url=url, include_comments=False, include_tables=False, favor_precision=True
    )
    return Page(text=(text or "").strip(), canonical=canonical, language=language, title=title)


def _parse(content: bytes, charset: str | None) -> lxml.html.HtmlElement | None:
    attempts: list[str | bytes] = [content]
    if charset:
        # a wrong charset: the parser finds the encoding in the page itself
        with contextlib.suppress(LookupError, UnicodeDecodeError):
            attempts.insert(0, content.decode(charset))
    for html in attempts:
        try:
            return lxml.html.document_fromstring(html)
        except ValueError:  # a str with an XML encoding declaration: try the bytes
            continue
        except ParserError:  # nothing in it
            return None
    return None


def _canonical(tree: lxml.html.HtmlElement, url: str) -> str | None:
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        href = (link.get("href") or "").strip()
        if "canonical" in rel and href:
            try:
                target = urlsplit(urljoin(url, href))
                target.port  # noqa: B018 (ValueError for a port that is not one)
            except ValueError:  # a broken URL (`http://[::1/x`): no canonical URL
                return None
            # a site's home page as every page's canonical URL is a common template bug:
            # taken at its word, it would make every article a duplicate of the first
            if target.scheme not in ("http", "https") or target.path in ("", "/"):
                return None
            return target.geturl()
    return None


def _language(tree: lxml.html.HtmlElement) -> str | None:
    found = language_tag(tree.get("lang") or tree.get("{http://www.w3.org/XML/1998/namespace}lang"))
    if found:
        return found
    for meta in tree.iter("meta"):
        if (meta.get("http-equiv") or "").lower() == "content-language":
            return language_tag((meta.get("content") or "").split(",")[0])
    return None


def _title(tree: lxml.html.HtmlElement) -> str | None:
    for node in tree.iter("title"):
        title = " ".join((node.text_content() or "").split())
        return title or None
    return None


DETECTORS = ("py3langid", "langid", "langdetect")


def detect_language(text: str) -> str | None:
    """The language of `text` from a detector that happens to be installed (py3langid,
    langid or langdetect; none is a dependency), else None."""
    for name in DETECTORS:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        try:
            if name == "langdetect":
                return language_tag(module.detect(text))
            return language_tag(module.classify(text)[0])
        except Exception:  # a detector's own failure: no answer, not an error
            return None
    return None
