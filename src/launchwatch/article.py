"""Stage 2: RawDocument -> Article (clean text, title, publishers, date, captions).

`make_article` runs, in order:
  1. decode      UTF-8 (BOM stripped; UTF-16 by BOM; a declared HTML charset
                 when the bytes are not UTF-8); invalid bytes are replaced
                 and reported in Article.warnings, never a failure
  2. extract     HTML: trafilatura main text + metadata, the standfirst it
                 drops, figcaptions; text: the page as it is
  3. clean       boilerplate.clean_text: head, tail, furniture, captions,
                 syndication credits
  4. date        given by the caller > HTML metadata > byline line in the head
  5. assemble    headline first, paragraphs joined by a blank line

The Article's `text` is final: evidence spans later point into it.
"""
from __future__ import annotations

import codecs
import re
from collections.abc import Callable

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from launchwatch import dates_meta
from launchwatch.boilerplate import Cleaned, clean_text, is_prose, normalise, words
from launchwatch.errors import BinaryError, DocumentError, EmptyError, NoArticleError
from launchwatch.records import Article, RawDocument
from launchwatch.settings import Settings
from launchwatch.sources import error_message, looks_binary

# Above this share of replaced characters the bytes were never text in a
# known encoding (an image renamed .txt); below, a few bad bytes in a real
# article are replaced and reported.
MAX_REPLACED_RATIO = 0.3
REPLACEMENT = "\ufffd"
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)

# trafilatura options: precision over recall (related lists and comment
# forms out), no comments, no tables (data boxes are rarely the story and
# their cells arrive as fragments), no images. Checked on the 12 dev pages:
# every body paragraph kept; only the standfirst and figcaptions dropped,
# which are restored below.
TRAFILATURA_OPTIONS = dict(
    with_metadata=True, include_comments=False, include_tables=False, include_images=False,
    favor_precision=True, deduplicate=False,
    date_extraction_params={"extensive_search": False, "original_date": True},
)
# Page elements holding the standfirst/dek, which trafilatura often treats
# as furniture although it states the news in one line.
STANDFIRST_CLASS = re.compile(r"(^|[\s_-])(standfirst|dek|deck|subhead(line)?|sub-?title|strapline|lede|lead|"
                              r"intro|excerpt|summary|teaser-text|article-summary)($|[\s_-])", re.I)
STANDFIRST_MAX_WORDS = 60
STANDFIRST_NOT_TAGS = ("html", "body", "main", "article", "section", "ul", "ol", "nav", "aside", "footer", "header")
CAPTION_XPATH = "//figcaption | //*[contains(concat(' ', normalize-space(@class), ' '), ' caption ')]"
# An article has at least one sentence of this many words.
MIN_ARTICLE_WORDS = 8


def make_article(raw: RawDocument, settings: Settings) -> Article:
    """Clean one document; raises EmptyError, BinaryError or NoArticleError."""
    if raw.error:
        raise DocumentError(raw.error)
    warnings: list[str] = []
    text = decode(raw.content, kind=raw.kind, warnings=warnings)
    if raw.kind == "html":
        cleaned, meta = _from_html(text, raw)
    else:
        cleaned, meta = clean_text(text), {}
    _require_article(cleaned, raw.kind)
    title = raw.title or meta.get("title") or cleaned.title
    paragraphs = _headline_first(cleaned.paragraphs, title)

    def head() -> list[str]:  # the page's lines: worked out only when a byline must date the story
        return meta.get("head") or normalise(text)

    published, published_from = _publication_date(raw, meta.get("date"), head, paragraphs, warnings)
    return Article(
        doc_id=raw.doc_id, source=raw.source, text="\n\n".join(paragraphs), title=title,
        external_id=raw.external_id, url=raw.url,
        publisher=meta.get("sitename") or cleaned.publisher,
        original_publisher=cleaned.original_publisher,
        published=published, published_from=published_from,
        captions=_unique(meta.get("captions", []) + cleaned.captions), warnings=warnings,
    )


# --------------------------------------------------------------------------
# 1. Decode
# --------------------------------------------------------------------------

def decode(data: bytes, *, kind: str = "text", warnings: list[str] | None = None) -> str:
    """Bytes -> str; bad bytes replaced and counted in `warnings`."""
    warnings = warnings if warnings is not None else []
    if not data.strip():
        raise EmptyError(error_message(EmptyError, "empty: document has no text (only whitespace)"))
    if looks_binary(data):
        raise BinaryError(error_message(BinaryError, "binary: NUL or control bytes, not a text document"))
    if data.startswith(UTF16_BOMS):
        return data.decode("utf-16", errors="replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    declared = _declared_charset(data) if kind == "html" else None
    if declared:
        warnings.append(f"not UTF-8: decoded as declared charset {declared}")
        return data.decode(declared, errors="replace")
    return _decode_replacing(data, warnings)


def _decode_replacing(data: bytes, warnings: list[str]) -> str:
    # surrogateescape maps each invalid byte to one lone surrogate, so they
    # can be counted exactly and then replaced one for one.
    escaped = data.decode("utf-8", errors="surrogateescape").lstrip("\ufeff")
    bad = sum(1 for char in escaped if "\udc80" <= char <= "\udcff")
    text = "".join(REPLACEMENT if "\udc80" <= char <= "\udcff" else char for char in escaped)
    if bad / max(len(text), 1) > MAX_REPLACED_RATIO:
        raise BinaryError(error_message(BinaryError, f"binary: {bad} of {len(data)} bytes are not text"))
    warnings.append(f"invalid UTF-8: {bad} bytes replaced")
    return text


def _declared_charset(data: bytes) -> str | None:
    match = META_CHARSET.search(data[:4096])
    if not match:
        return None
    name = match.group(1).decode("ascii", errors="ignore")
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    return None if codec == "utf-8" else codec


# --------------------------------------------------------------------------
# 2. HTML
# --------------------------------------------------------------------------

def _from_html(text: str, raw: RawDocument) -> tuple[Cleaned, dict]:
    """Main text and metadata of an HTML page, cleaned."""
    tree = _parse_html(text)
    document = _trafilatura(text, raw.url)
    body = document.text if document and document.text else _baseline_text(tree)
    cleaned = clean_text(body or "", has_head=document is None)
    captions = _captions(tree)
    cleaned.paragraphs = [p for p in cleaned.paragraphs if p not in captions]
    meta = {
        "title": _clean_line(document.title) if document and document.title else _html_title(tree),
        "sitename": _clean_line(document.sitename) if document and document.sitename else None,
        "date": (dates_meta.meta_date(tree) if tree is not None else None) or (document.date if document else None),
        "captions": captions,
        "head": normalise(body or ""),   # before cleaning: byline/timestamp lines are still there
    }
    _restore_standfirst(cleaned, tree, meta["title"])
    return cleaned, meta


def _parse_html(text: str):
    try:
        return lxml_html.fromstring(text)
    except (etree.ParserError, ValueError):
        return None


def _trafilatura(text: str, url: str | None):
    try:
        return trafilatura.bare_extraction(text, url=url, **TRAFILATURA_OPTIONS)
    except Exception:  # trafilatura raises assorted lxml/parser errors on broken pages
        return None


def _baseline_text(tree) -> str:
    """Visible text when trafilatura finds nothing (tiny pages, odd markup)."""
    if tree is None:
        return ""
    for bad in tree.xpath("//script | //style | //noscript | //template"):
        bad.drop_tree()
    return "\n".join(line for line in tree.text_content().splitlines() if line.strip())


def _captions(tree) -> list[str]:
    if tree is None:
        return []
    found = (_clean_line(node.text_content()) for node in tree.xpath(CAPTION_XPATH))
    return _unique([caption for caption in found if caption])


def _html_title(tree) -> str | None:
    if tree is None:
        return None
    for xpath in ('//meta[@property="og:title"]/@content', "//h1", "//title"):
        for node in tree.xpath(xpath):
            value = _clean_line(node if isinstance(node, str) else node.text_content())
            if value:
                return value
    return None


def _restore_standfirst(cleaned: Cleaned, tree, title: str | None) -> None:
    """Put back a dek/standfirst that trafilatura left out, after the headline."""
    if tree is None:
        return
    body = " ".join(cleaned.paragraphs)
    for node in tree.xpath("//*[@class]"):
        if not _is_standfirst_node(node):
            continue
        standfirst = _clean_line(node.text_content())
        if standfirst and standfirst != title and words(standfirst) <= STANDFIRST_MAX_WORDS \
                and not _already_in(node, body):
            position = 1 if title and cleaned.paragraphs and cleaned.paragraphs[0] == title else 0
            cleaned.paragraphs.insert(position, standfirst)
            return


def _is_standfirst_node(node) -> bool:
    # Containers and lists are not a standfirst even when their class says
    # "summary": their items come through trafilatura as paragraphs already.
    if node.tag in STANDFIRST_NOT_TAGS or node.xpath(".//li | .//p[2]"):
        return False
    return bool(STANDFIRST_CLASS.search(node.get("class", "")))


def _already_in(node, body: str) -> bool:
    """True when every text piece of `node` is already in the extracted body."""
    pieces = [_clean_line(piece) for piece in node.itertext()]
    return all(piece in body for piece in pieces if piece)


def _clean_line(value: str | None) -> str | None:
    if not value:
        return None
    parts = normalise(value)
    return " ".join(parts) if parts else None


# --------------------------------------------------------------------------
# 3-5. Checks, dates, assembly
# --------------------------------------------------------------------------

def _require_article(cleaned: Cleaned, kind: str) -> None:
    if any(is_prose(p) or words(p) >= MIN_ARTICLE_WORDS for p in cleaned.paragraphs):
        return
    what = "HTML page" if kind == "html" else "text"
    raise NoArticleError(error_message(NoArticleError, f"no article: no story text found in the {what}"))


def _headline_first(paragraphs: list[str], title: str | None) -> list[str]:
    """The headline is the first paragraph: headlines sometimes carry facts."""
    if not title or (paragraphs and paragraphs[0] == title):
        return list(paragraphs)
    return [title] + [p for p in paragraphs if p != title]


def _publication_date(raw: RawDocument, meta_value: str | None, head: Callable[[], list[str]],
                      paragraphs: list[str], warnings: list[str]) -> tuple[str | None, str | None]:
    """(YYYY-MM-DD, where from): given > meta > byline; else a warning. `head` gives the page's lines."""
    if raw.published:
        given = dates_meta.given_date(raw.published)
        if given:
            return given, "given"
        warnings.append(f"given publication date not understood: {raw.published!r}")
    meta = dates_meta.given_date(meta_value) if meta_value else None
    if meta:
        return meta, "meta"
    byline = dates_meta.byline_date(head())
    if byline:
        return byline, "byline"
    warnings.append("publication date unknown")
    dateline = next((d for d in map(dates_meta.dateline_month_day, paragraphs[:3]) if d), None)
    if dateline:
        warnings.append(f"dateline without year: {dateline}")
    return None, None


def _unique(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))
