"""Stage 1: paths, folders, stdin, JSON dumps and manifests -> RawDocument.

`read_sources` never raises for a bad document: it yields a RawDocument with
`error` set, so a batch goes on and the failure is recorded. Every error
message starts with the name of the matching DocumentError subclass
("TooLargeError: too large: ..."), so callers can recover the class with
`error_class(raw)` without a change to the RawDocument record.

Decoding is not done here: `content` stays the raw bytes (for JSON records,
the text/html field encoded as UTF-8), so identical bytes give identical
doc_ids and invalid UTF-8 becomes a warning in article.py, not a failure.
"""
from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO, Iterator

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
SUPPORTED_EXTENSIONS = TEXT_EXTENSIONS + HTML_EXTENSIONS + JSON_EXTENSIONS + JSONL_EXTENSIONS

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
    elif target.suffix.lower() not in SUPPORTED_EXTENSIONS:
        if explicit:
            yield _failed(path, ReadError, _unknown_extension(target))
    else:
        yield from _read_file(target, settings)


def _read_folder(folder: Path, settings: Settings) -> Iterator[RawDocument]:
    # Unsupported files inside a folder (README.md, images) are skipped rather
    # than failed: they are not articles, and naming them is the user's choice.
    for file in _walk(folder):
        if file.suffix.lower() in SUPPORTED_EXTENSIONS:
            yield from _read_file(file, settings)


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


def _read_file(path: Path, settings: Settings, **extra: Any) -> Iterator[RawDocument]:
    """One file -> one RawDocument, or one per record for .json/.jsonl."""
    source = str(path)
    data = _read_bytes(path, settings)
    if isinstance(data, RawDocument):
        yield _replace(data, **extra)
        return
    suffix = path.suffix.lower()
    if suffix in JSONL_EXTENSIONS:
        yield from _jsonl_records(data, source, settings, extra)
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


def _jsonl_records(data: bytes, source: str, settings: Settings, extra: dict) -> Iterator[RawDocument]:
    lines = data.decode("utf-8-sig", errors="replace").splitlines()
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        record_source = f"{source}:{number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as err:
            yield _failed(record_source, MalformedError, f"malformed JSON line: {err.msg}", **extra)
            continue
        yield _json_record(item, record_source, settings, extra)


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
    elif target.suffix.lower() not in SUPPORTED_EXTENSIONS:
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


def _str_or_none(value: Any) -> str | None:
    if value is None:
        return None
    return str(value).strip() or None
