"""Stage 1: paths, folders, stdin, JSON dumps, WARC archives, feeds and manifests -> RawDocument.

`read_sources` never raises for a bad document: it yields a RawDocument with
`error` set, so a batch goes on and the failure is recorded. Every error
message starts with the name of the matching DocumentError subclass
("TooLargeError: too large: ..."), so callers can recover the class with
`error_class(raw)` without a change to the RawDocument record.

Decoding is not done here: `content` stays the raw bytes (for JSON records,
the text/html field encoded as UTF-8), so identical bytes give identical
doc_ids and invalid UTF-8 becomes a warning in article.py, not a failure.

Containers are streamed, one record at a time, and `settings.max_bytes`
applies to each record: JSONL dumps line by line, WARC/ARC archives record
by record (warcio), RSS/Atom feeds item by item (lxml iterparse).
"""
from __future__ import annotations

import email.utils
import json
import re
import sys
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO, Iterator

from lxml import etree
from warcio.archiveiterator import ArchiveIterator
from warcio.limitreader import LimitReader

from launchwatch import errors
from launchwatch.errors import (
    BinaryError, DocumentError, EmptyError, MalformedError, ReadError, TooLargeError,
)
from launchwatch.records import RawDocument
from launchwatch.settings import Settings

STDIN_MARK = "-"
STDIN_SOURCE = "<stdin>"

TEXT_EXTENSIONS = (".txt",)
HTML_EXTENSIONS = (".html", ".htm")
JSON_EXTENSIONS = (".json",)
JSONL_EXTENSIONS = (".jsonl",)
ARCHIVE_EXTENSIONS = (".warc", ".warc.gz", ".arc", ".arc.gz")
FEED_EXTENSIONS = (".rss", ".atom", ".xml")   # .xml only when it holds a feed
SUPPORTED_EXTENSIONS = (TEXT_EXTENSIONS + HTML_EXTENSIONS + JSON_EXTENSIONS + JSONL_EXTENSIONS
                        + ARCHIVE_EXTENSIONS + FEED_EXTENSIONS)

# Binary sniffing looks at the head only: a news page is text from its first
# byte, and reading a whole stray file to reject it would defeat the size guard.
SNIFF_BYTES = 8192
# Share of control bytes (other than tab/newline/CR/FF) above which a file is
# treated as binary. Real text has ~0; images and archives have 10-30% and
# also NUL bytes, which are rejected outright.
MAX_CONTROL_RATIO = 0.10
TEXT_CONTROL_BYTES = frozenset(b"\t\n\r\f\x1b")
# UTF-16 text legitimately contains NUL bytes; its BOM lets us tell it apart.
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")

# Markers that make stdin (which has no extension) HTML rather than text.
HTML_SNIFF_MARKERS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<article", b"<p>", b"<div")

BYTES_PER_KB = 1024
BYTES_PER_MB = 1024 * 1024
# Longest quote of a parser's message in an error (warcio quotes the garbage it met).
MAX_REASON_CHARS = 160
# Streams are read in pieces of this size, so no record is held beyond its limit.
READ_CHUNK = 64 * 1024


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------

def read_sources(
    paths: list[str],
    *,
    manifest: str | None = None,
    published: str | None = None,
    settings: Settings | None = None,
) -> Iterator[RawDocument]:
    """Yield one RawDocument per document found in `paths` and `manifest`.

    `paths` items are files, folders (recursive, sorted, hidden entries
    skipped, unsupported extensions skipped) or "-" for stdin. `published`
    fills in documents that carry no publication date of their own.
    """
    settings = settings or Settings()
    for path in paths:
        for raw in _read_path(path, settings, explicit=True):
            yield _with_default_published(raw, published)
    if manifest:
        for raw in read_manifest(manifest, settings=settings):
            yield _with_default_published(raw, published)


def read_manifest(manifest: str, *, settings: Settings | None = None) -> Iterator[RawDocument]:
    """Documents listed in a manifest (shared/eval/SCHEMA.md "Sets and manifests").

    One JSON object per line: {"id", "path", "published", "source_url"?};
    `path` is relative to the manifest's folder. A bad line fails only itself.
    """
    settings = settings or Settings()
    base = Path(manifest).parent
    try:
        lines = Path(manifest).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as err:
        yield _failed(manifest, ReadError, f"cannot read manifest: {_os_reason(err)}")
        return
    for number, line in enumerate(lines, start=1):
        if line.strip():
            yield from _manifest_entry(line, f"{manifest}:{number}", base, settings)


def error_class(raw: RawDocument) -> type[DocumentError] | None:
    """The DocumentError subclass named at the start of `raw.error`, if any."""
    if not raw.error:
        return None
    name = raw.error.split(":", 1)[0]
    cls = getattr(errors, name, None)
    if isinstance(cls, type) and issubclass(cls, DocumentError):
        return cls
    return DocumentError


def error_message(cls: type[DocumentError], reason: str) -> str:
    """The one message shape for document failures: "<ClassName>: <reason>"."""
    return f"{cls.__name__}: {reason}"


_CONTROL_BYTES = bytes(b for b in range(0x20) if b not in TEXT_CONTROL_BYTES)


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control bytes in the head: not a text document."""
    head = data[:SNIFF_BYTES]
    if not head or head.startswith(UTF16_BOMS):
        return False
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))  # counted in C, not byte by byte
    return controls / len(head) > MAX_CONTROL_RATIO


def sniff_kind(data: bytes) -> str:
    """'html' when the head looks like markup, else 'text' (for stdin)."""
    head = data[:SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return "html" if any(marker in head for marker in HTML_SNIFF_MARKERS) else "text"


# --------------------------------------------------------------------------
# Paths and folders
# --------------------------------------------------------------------------

def _read_path(path: str, settings: Settings, *, explicit: bool) -> Iterator[RawDocument]:
    if path == STDIN_MARK:
        yield _read_stdin(sys.stdin.buffer, settings)
        return
    target = Path(path)
    if not target.exists():
        yield _failed(path, ReadError, f"missing path: {path} does not exist")
    elif target.is_dir():
        yield from _read_folder(target, settings)
    elif _extension(target) not in SUPPORTED_EXTENSIONS:
        if explicit:
            yield _failed(path, ReadError, _unknown_extension(target))
    else:
        yield from _read_file(target, settings, explicit=explicit)


def _read_folder(folder: Path, settings: Settings) -> Iterator[RawDocument]:
    # Unsupported files inside a folder (README.md, images) are skipped rather
    # than failed: they are not articles, and naming them is the user's choice.
    for file in _walk(folder):
        if _extension(file) in SUPPORTED_EXTENSIONS:
            yield from _read_file(file, settings, explicit=False)


def _walk(folder: Path) -> Iterator[Path]:
    """Files under `folder`, recursive, sorted by name, hidden entries skipped."""
    try:
        entries = sorted(folder.iterdir(), key=lambda p: p.name)
    except OSError:
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir():
            yield from _walk(entry)
        elif entry.is_file():
            yield entry


def _extension(path: Path) -> str:
    """'.warc.gz' for a compressed archive, else the last suffix; lower case."""
    double = "".join(path.suffixes[-2:]).lower()
    return double if double in ARCHIVE_EXTENSIONS else path.suffix.lower()


def _read_file(path: Path, settings: Settings, *, explicit: bool = True, **extra: Any) -> Iterator[RawDocument]:
    """One file -> one RawDocument, or one per record for containers.

    `extra` (a manifest's id, date, url) describes one document, so it is
    not given to the records of an archive or a feed.
    """
    suffix = _extension(path)
    if suffix in ARCHIVE_EXTENSIONS:
        yield from read_archive(path, settings)
    elif suffix in FEED_EXTENSIONS:
        yield from _read_feed_file(path, settings, explicit=explicit)
    elif suffix in JSONL_EXTENSIONS:
        yield from _jsonl_records(path, settings, extra)
    else:
        yield from _read_whole_file(path, suffix, settings, extra)


def _read_whole_file(path: Path, suffix: str, settings: Settings, extra: dict) -> Iterator[RawDocument]:
    source = str(path)
    data = _read_bytes(path, settings)
    if isinstance(data, RawDocument):
        yield _replace(data, **extra)
    elif suffix in JSON_EXTENSIONS:
        yield from _json_records(data, source, settings, extra)
    else:
        kind = "html" if suffix in HTML_EXTENSIONS else "text"
        yield _checked(RawDocument(source=source, content=data, kind=kind, **extra), settings)


def _read_bytes(path: Path, settings: Settings) -> bytes | RawDocument:
    """File bytes, or a failed RawDocument. Size is checked before reading."""
    source = str(path)
    try:
        size = path.stat().st_size
    except OSError as err:
        return _failed(source, ReadError, f"unreadable: {_os_reason(err)}")
    if size > settings.max_bytes:
        return _failed(source, TooLargeError, _too_large(size, settings.max_bytes))
    try:
        return path.read_bytes()
    except OSError as err:
        return _failed(source, ReadError, f"unreadable: {_os_reason(err)}")


def _read_stdin(stream: BinaryIO, settings: Settings) -> RawDocument:
    # Read one byte past the limit: enough to know the input is too large
    # without holding an unbounded stream in memory.
    data = stream.read(settings.max_bytes + 1)
    if len(data) > settings.max_bytes:
        return _failed(STDIN_SOURCE, TooLargeError, _too_large(len(data), settings.max_bytes, at_least=True))
    return _checked(RawDocument(source=STDIN_SOURCE, content=data, kind=sniff_kind(data)), settings)


# --------------------------------------------------------------------------
# JSON and JSONL records
# --------------------------------------------------------------------------

def _json_records(data: bytes, source: str, settings: Settings, extra: dict) -> Iterator[RawDocument]:
    try:
        parsed = json.loads(data.decode("utf-8-sig", errors="replace"))
    except json.JSONDecodeError as err:
        yield _failed(source, MalformedError, f"malformed JSON: {err.msg} at line {err.lineno}", **extra)
        return
    items = parsed if isinstance(parsed, list) else [parsed]
    many = len(items) > 1
    for index, item in enumerate(items):
        record_source = f"{source}[{index}]" if many else source
        yield _json_record(item, record_source, settings, extra)


def _jsonl_records(path: Path, settings: Settings, extra: dict) -> Iterator[RawDocument]:
    """One record per line, streamed: a dump of any size is read line by line."""
    source = str(path)
    try:
        with path.open("rb") as stream:
            for number, line in enumerate(_bounded_lines(stream, settings.max_bytes), start=1):
                yield from _jsonl_line(line, f"{source}:{number}", settings, extra)
    except OSError as err:
        yield _failed(source, ReadError, f"unreadable: {_os_reason(err)}", **extra)


def _jsonl_line(line: bytes | int, source: str, settings: Settings, extra: dict) -> Iterator[RawDocument]:
    if isinstance(line, int):
        yield _failed(source, TooLargeError, _too_large(line, settings.max_bytes), **extra)
        return
    text = line.decode("utf-8", errors="replace").lstrip("\ufeff")
    if not text.strip():
        return
    try:
        item = json.loads(text)
    except json.JSONDecodeError as err:
        yield _failed(source, MalformedError, f"malformed JSON line: {err.msg}", **extra)
        return
    yield _json_record(item, source, settings, extra)


def _bounded_lines(stream: BinaryIO, limit: int) -> Iterator[bytes | int]:
    """Each line of `stream`; a line over `limit` bytes is passed over and yields its size."""
    while line := stream.readline(limit + 1):
        if len(line) > limit and not line.endswith(b"\n"):
            yield len(line) + _skip_line(stream)
        else:
            yield line


def _skip_line(stream: BinaryIO) -> int:
    skipped = 0
    while piece := stream.readline(READ_CHUNK):
        skipped += len(piece)
        if piece.endswith(b"\n"):
            break
    return skipped


def _json_record(item: Any, source: str, settings: Settings, extra: dict) -> RawDocument:
    """One JSON object {text|html, url?, published?, title?, id?} -> RawDocument."""
    if not isinstance(item, dict):
        return _failed(source, MalformedError, f"JSON record is a {type(item).__name__}, not an object", **extra)
    kind, body = _record_body(item)
    if body is None:
        return _failed(source, MalformedError, "JSON record has neither a 'text' nor an 'html' string", **extra)
    fields = dict(extra)
    fields.update(_record_fields(item))
    raw = RawDocument(source=source, content=body.encode("utf-8"), kind=kind, **fields)
    return _checked(raw, settings)


def _record_body(item: dict) -> tuple[str, str | None]:
    for kind, key in (("html", "html"), ("text", "text")):
        if isinstance(item.get(key), str):
            return kind, item[key]
    return "text", None


def _record_fields(item: dict) -> dict[str, str]:
    """Optional provenance fields of a JSON record, as RawDocument keywords."""
    fields = {}
    for key, name in (("id", "external_id"), ("url", "url"), ("published", "published"), ("title", "title")):
        value = item.get(key)
        if value is not None and str(value).strip():
            fields[name] = str(value).strip()
    return fields


# --------------------------------------------------------------------------
# WARC and ARC archives
# --------------------------------------------------------------------------

HTML_CONTENT_TYPES = ("text/html", "application/xhtml+xml")
TEXT_CONTENT_TYPES = ("text/plain",)


def read_archive(path: Path, settings: Settings, skipped: Counter | None = None) -> Iterator[RawDocument]:
    """One RawDocument per HTTP 200 response record with an HTML or plain-text payload.

    Other records (requests, metadata, warcinfo, revisits, error pages,
    images, empty bodies) are passed over; `skipped` counts them by reason.
    Each document's source is "archive#offset=N", N the record's offset in
    the file (compressed), and its external_id the WARC-Record-ID. WARC-Date
    is the crawl date, not the publication date, so `published` stays unset.
    A damaged archive yields one failed RawDocument for the rest of the file.
    """
    skipped = Counter() if skipped is None else skipped
    try:
        with path.open("rb") as stream:
            yield from _archive_records(stream, path, settings, skipped)
    except OSError as err:
        yield _failed(str(path), ReadError, f"unreadable: {_os_reason(err)}")


def _archive_records(stream: BinaryIO, path: Path, settings: Settings, skipped: Counter) -> Iterator[RawDocument]:
    source, expected = str(path), ("arc" if _extension(path).startswith(".arc") else "warc")
    records = ArchiveIterator(stream)
    iterator = iter(records)
    while True:
        records.read_to_end()   # so that `offset` is where the next record starts
        offset = records.offset
        try:
            record = next(iterator, None)
        except Exception as err:  # noqa: BLE001 - warcio raises assorted errors (even AttributeError) on a cut gzip
            yield _damaged(source, offset, _exception_reason(err))
            return
        if record is None:
            break
        if record.format != expected:   # warcio reads almost any line as an ARC header
            yield _damaged(source, offset, f"not a {expected.upper()} record")
            return
        document = _archive_document(record, f"{source}#offset={offset}", settings, skipped)
        if _cut_short(record):
            yield _damaged(source, offset, "the file ends inside this record")
            return
        if document:
            yield document
    yield from _unread_tail(stream, source, records.offset)


def _cut_short(record) -> bool:
    """warcio ends quietly when the file stops inside a record: then its headers hold no
    whole Content-Length, or its block is shorter than the Content-Length says."""
    length = record.rec_headers.get_header("Content-Length" if record.format == "warc" else "length")
    stream = record.raw_stream
    if not (length or "").strip().isdigit() or not isinstance(stream, LimitReader):
        return True
    while stream.read(READ_CHUNK):
        pass
    return stream.limit > 0


def _unread_tail(stream: BinaryIO, source: str, offset: int) -> Iterator[RawDocument]:
    """...or inside a record's headers: then bytes are left after the last record."""
    stream.seek(0, 2)
    if stream.tell() > offset:
        yield _damaged(source, offset, f"{stream.tell() - offset} bytes at the end are no whole record")


def _damaged(source: str, offset: int, reason: str) -> RawDocument:
    return _failed(f"{source}#offset={offset}", MalformedError, f"damaged archive from offset {offset} on: {reason}")


def _archive_document(record, source: str, settings: Settings, skipped: Counter) -> RawDocument | None:
    kind, reason = _record_kind(record)
    if kind is None:
        skipped[reason] += 1
        return None
    headers = record.rec_headers   # ARC records have a 'uri' and no record id
    fields = {"external_id": headers.get_header("WARC-Record-ID"),
              "url": headers.get_header("WARC-Target-URI") or headers.get_header("uri")}
    try:
        data = _read_at_most(record.content_stream(), settings.max_bytes)
    except Exception as err:  # noqa: BLE001 - a bad Content-Encoding or a payload cut short
        return _failed(source, MalformedError, f"unreadable payload: {_exception_reason(err)}", **fields)
    if len(data) > settings.max_bytes:
        return _failed(source, TooLargeError, _too_large(len(data), settings.max_bytes, at_least=True), **fields)
    if not data.strip():
        skipped["empty payload"] += 1
        return None
    return _checked(RawDocument(source=source, content=data, kind=kind, **fields), settings)


def _record_kind(record) -> tuple[str | None, str]:
    """('html' | 'text', content type) for a page worth reading, else (None, why not)."""
    if record.rec_type != "response":
        return None, f"{record.rec_type} record"
    status = record.http_headers.get_statuscode() if record.http_headers else None
    if status != "200":
        return None, f"HTTP status {status or 'missing'}"
    content_type = (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
    if content_type in HTML_CONTENT_TYPES:
        return "html", content_type
    if content_type in TEXT_CONTENT_TYPES:
        return "text", content_type
    return None, f"content type {content_type or 'missing'}"


def _read_at_most(stream: BinaryIO, limit: int) -> bytes:
    """Up to limit + 1 bytes: enough to know a payload is too large without holding it."""
    pieces, size = [], 0
    while size <= limit and (piece := stream.read(min(READ_CHUNK, limit + 1 - size))):
        pieces.append(piece)
        size += len(piece)
    return b"".join(pieces)


# --------------------------------------------------------------------------
# RSS and Atom feeds
# --------------------------------------------------------------------------

ATOM = "{http://www.w3.org/2005/Atom}"
RSS1 = "{http://purl.org/rss/1.0/}"
CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"
DC_DATE = "{http://purl.org/dc/elements/1.1/}date"
FEED_ITEMS = ("item", f"{RSS1}item", f"{ATOM}entry")
# Full text first, then the teaser; RSS 2.0, RSS 1.0 and Atom names.
FEED_BODIES = (CONTENT_ENCODED, f"{ATOM}content", "description", f"{RSS1}description", f"{ATOM}summary")
FEED_DATES = (f"{ATOM}published", "pubDate", DC_DATE, f"{ATOM}updated")
# An .xml file is read as a feed when its head opens one of these roots.
FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>]")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def read_feed(path: Path, settings: Settings) -> Iterator[RawDocument]:
    """One RawDocument per RSS item or Atom entry, streamed; source "feed#item=N".

    The body is content:encoded, Atom content, or else the description or
    summary; title, link, guid/id and the publication date come along. A
    feed that stops parsing yields one failed RawDocument for the rest.
    """
    source = str(path)
    try:
        items = etree.iterparse(source, events=("end",), tag=FEED_ITEMS, resolve_entities=False, no_network=True)
    except OSError as err:
        yield _failed(source, ReadError, f"unreadable: {_os_reason(err)}")
        return
    number = 0
    while True:
        try:
            found = next(items, None)
        except (etree.XMLSyntaxError, OSError) as err:
            reason = f"malformed feed after item {number}: {_exception_reason(err)}"
            yield _failed(f"{source}#item={number + 1}", MalformedError, reason)
            return
        if found is None:
            return
        number += 1
        _, item = found
        yield _feed_item(item, f"{source}#item={number}", settings)
        _release(item)


def _read_feed_file(path: Path, settings: Settings, *, explicit: bool) -> Iterator[RawDocument]:
    if path.suffix.lower() != ".xml" or _is_feed(path):
        yield from read_feed(path, settings)
    elif explicit:
        yield _failed(str(path), ReadError, f"not a feed: {path} opens no <rss>, <feed> or <rdf:RDF>")


def _is_feed(path: Path) -> bool:
    try:
        with path.open("rb") as stream:
            return FEED_ROOT.search(stream.read(SNIFF_BYTES)) is not None
    except OSError:
        return True   # let read_feed report why it cannot be read


def _feed_item(item, source: str, settings: Settings) -> RawDocument:
    fields = {"title": _child_text(item, "title", f"{RSS1}title", f"{ATOM}title"), "url": _item_link(item),
              "published": _item_date(item), "external_id": _child_text(item, "guid", f"{ATOM}id")}
    fields = {name: value for name, value in fields.items() if value}
    kind, body = _item_body(item)
    if body is None:
        return _failed(source, EmptyError, "empty: feed item has no content, description or summary", **fields)
    return _checked(RawDocument(source=source, content=body.encode("utf-8"), kind=kind, **fields), settings)


def _item_body(item) -> tuple[str, str | None]:
    for tag in FEED_BODIES:
        node = item.find(tag)
        if node is not None:
            kind, body = _node_body(node)
            if body.strip():
                return kind, body
    return "html", None


def _node_body(node) -> tuple[str, str]:
    """RSS bodies are HTML; Atom says which by `type`, and plain text is its default."""
    if not node.tag.startswith(ATOM):
        return "html", node.text or ""
    kind = node.get("type", "text").lower()
    if kind == "xhtml":
        return "html", "".join(etree.tostring(child, encoding="unicode") for child in node)
    return ("html" if "html" in kind else "text"), node.text or ""


def _item_link(item) -> str | None:
    text = _child_text(item, "link", f"{RSS1}link")
    if text:
        return text
    for link in item.iterfind(f"{ATOM}link"):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link.get("href").strip()
    return None


def _item_date(item) -> str | None:
    dates = (_feed_date(_child_text(item, tag)) for tag in FEED_DATES)
    return next((date for date in dates if date), None)


def _feed_date(value: str | None) -> str | None:
    """RFC 3339 (Atom) or RFC 822 (RSS) -> YYYY-MM-DD, in the feed's own time zone."""
    if not value:
        return None
    if ISO_DATE.match(value):
        return value[:10]
    try:
        return email.utils.parsedate_to_datetime(value).date().isoformat()
    except (TypeError, ValueError, IndexError):
        return None


def _child_text(item, *tags: str) -> str | None:
    for tag in tags:
        node = item.find(tag)
        if node is not None and node.text and node.text.strip():
            return node.text.strip()
    return None


def _release(item) -> None:
    """Free a parsed item and what came before it, so a feed of any size streams."""
    item.clear(keep_tail=True)
    while item.getprevious() is not None:
        del item.getparent()[0]


# --------------------------------------------------------------------------
# Manifests
# --------------------------------------------------------------------------

def _manifest_entry(line: str, source: str, base: Path, settings: Settings) -> Iterator[RawDocument]:
    try:
        entry = json.loads(line)
    except json.JSONDecodeError as err:
        yield _failed(source, MalformedError, f"malformed manifest line: {err.msg}")
        return
    if not isinstance(entry, dict) or not isinstance(entry.get("path"), str):
        yield _failed(source, MalformedError, "manifest entry has no 'path' string")
        return
    extra = {
        "external_id": _str_or_none(entry.get("id")),
        "published": _str_or_none(entry.get("published")),
        "url": _str_or_none(entry.get("source_url") or entry.get("url")),
    }
    extra = {key: value for key, value in extra.items() if value is not None}
    target = base / entry["path"]
    if not target.exists():
        yield _failed(str(target), ReadError, f"missing path: {target} does not exist ({source})", **extra)
    elif _extension(target) not in SUPPORTED_EXTENSIONS:
        yield _failed(str(target), ReadError, _unknown_extension(target), **extra)
    else:
        for raw in _read_file(target, settings, **extra):
            yield raw


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------

def _checked(raw: RawDocument, settings: Settings) -> RawDocument:
    """Fail documents that are empty, binary or (for records) too large."""
    if len(raw.content) > settings.max_bytes:
        return _replace(raw, error=error_message(TooLargeError, _too_large(len(raw.content), settings.max_bytes)))
    if not raw.content.strip():
        return _replace(raw, error=error_message(EmptyError, "empty: document has no text (only whitespace)"))
    if looks_binary(raw.content):
        return _replace(raw, error=error_message(BinaryError, "binary: NUL or control bytes, not a text document"))
    return raw


def _with_default_published(raw: RawDocument, published: str | None) -> RawDocument:
    if published and not raw.published:
        return _replace(raw, published=published)
    return raw


def _failed(source: str, cls: type[DocumentError], reason: str, **fields: Any) -> RawDocument:
    return RawDocument(source=source, error=error_message(cls, reason), **fields)


def _replace(raw: RawDocument, **changes: Any) -> RawDocument:
    return replace(raw, **changes) if changes else raw


def _too_large(size: int, limit: int, *, at_least: bool = False) -> str:
    amount = ("at least " if at_least else "") + _human_size(size)
    return f"too large: {amount} over the {_human_size(limit)} limit (LAUNCHWATCH_MAX_BYTES)"


def _human_size(size: int) -> str:
    if size >= BYTES_PER_MB:
        return f"{size / BYTES_PER_MB:.1f} MB"
    if size >= BYTES_PER_KB:
        return f"{size / BYTES_PER_KB:.1f} KB"
    return f"{size} bytes"


def _unknown_extension(path: Path) -> str:
    suffix = path.suffix or "(none)"
    return f"unknown extension {suffix}: expected one of {', '.join(SUPPORTED_EXTENSIONS)}"


def _os_reason(err: OSError) -> str:
    return f"{err.strerror or err.__class__.__name__} ({err.filename or ''})".replace(" ()", "")


def _exception_reason(err: Exception) -> str:
    """'ErrorClass: first line of the message', cut short: parsers quote whole garbage lines."""
    message = str(err).strip().splitlines()[0] if str(err).strip() else ""
    return f"{type(err).__name__}: {message[:MAX_REASON_CHARS]}"


def _str_or_none(value: Any) -> str | None:
    if value is None:
        return None
    return str(value).strip() or None
