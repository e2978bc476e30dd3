"""`launchwatch watch`: poll folders and RSS/Atom feeds, ingest what is new, resolve, deliver webhooks.

    watcher = Watcher(store, settings, ["inbox/", "https://news.example/feed.rss"], allow_private=False)
    poll = watcher.poll_once()        # PollSummary: added, duplicates, failed, errors, resolved, delivered
    watcher.run(interval=60, stop=threading.Event())

Each poll, in order:
  1. folders and files: files new or changed since the last poll (size or
     modification time; a file still being written is left for the next
     poll, see `settle_s`) are read like `ingest` reads them; documents
     already stored are skipped before any extraction;
  2. feeds: fetched safely (web/fetch.py), each item not seen before (by
     its guid/id, else its link) is ingested: its full content when the
     feed carries it, else the page its link points to; items are
     remembered in `watch_seen`, so nothing is fetched twice;
  3. the new reports are resolved into events (which records the changes);
  4. one webhook delivery pass.
A feed or page that cannot be fetched is an error of that poll (kept in the
summary), never the end of the loop; an item whose page failed is tried
again at the next poll.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator
from urllib.parse import urljoin

from lxml import etree
from sqlalchemy import insert, select

from launchwatch import sources
from launchwatch.alerts.delivery import Deliverer, DeliverySummary
from launchwatch.alerts.tables import watch_seen
from launchwatch.errors import LaunchwatchError
from launchwatch.ingest import store_result
from launchwatch.knowledge import load_knowledge
from launchwatch.pipeline import Result, process
from launchwatch.records import RawDocument
from launchwatch.resolve import resolve_pending
from launchwatch.settings import Settings
from launchwatch.store.models import documents
from launchwatch.web.fetch import FetchError, fetch, shown_url

# A file modified this recently may still be being written: it waits for the next poll.
SETTLE_S = 2.0
FEED_TIMEOUT_S = 30.0
DONE_STATUSES = ("ok", "skipped")    # stored documents never processed again (failed ones are retried)


@dataclass
class PollSummary:
    read: int = 0
    added: int = 0
    duplicates: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)     # sources that could not be read, documents that failed
    resolved: int = 0                                   # reports resolved into events
    delivery: DeliverySummary | None = None

    def line(self) -> str:
        line = (f"read {self.read}, added {self.added}, duplicates skipped {self.duplicates}, "
                f"failed {self.failed}, errors {len(self.errors)}, reports resolved {self.resolved}")
        if self.delivery and (self.delivery.delivered or self.delivery.failed or self.delivery.gave_up):
            line += f"; webhooks: {self.delivery.line()}"
        return line

    def count(self, status: str) -> None:
        self.read += 1
        if status == "added":
            self.added += 1
        elif status == "duplicate":
            self.duplicates += 1
        elif status == "skipped":
            self.skipped += 1
        else:
            self.failed += 1


def is_feed_url(source: str) -> bool:
    return source.lower().startswith(("http://", "https://"))


class Watcher:
    def __init__(self, store, settings: Settings, sources_: list[str], *, allow_private: bool = False,
                 settle_s: float = SETTLE_S, deliverer: Deliverer | None = None, knowledge=None):
        self.store, self.settings, self.sources = store, settings, list(sources_)
        self.allow_private, self.settle_s = allow_private, settle_s
        self.knowledge = knowledge or load_knowledge(settings.knowledge_dirs)
        self.deliverer = deliverer or Deliverer(store, allow_private=allow_private)
        self._files: dict[str, tuple[int, int]] = {}    # path -> (mtime_ns, size) when last ingested

    def run(self, interval: float, stop: threading.Event, report: Callable[[PollSummary], None] = print) -> None:
        """Poll every `interval` seconds until `stop` is set."""
        while not stop.is_set():
            report(self.poll_once())
            stop.wait(interval)

    def poll_once(self) -> PollSummary:
        poll = PollSummary()
        for source in self.sources:
            try:
                if is_feed_url(source):
                    self._poll_feed(source, poll)
                else:
                    self._poll_path(Path(source), poll)
            except (LaunchwatchError, OSError) as err:
                poll.errors.append(f"{_shown(source)}: {err}")
        if poll.added:
            poll.resolved = resolve_pending(self.store, self.knowledge).reports
        poll.delivery = self.deliverer.run_once()
        return poll

    # -- folders and files -----------------------------------------------

    def _poll_path(self, path: Path, poll: PollSummary) -> None:
        if not path.exists():
            raise FileNotFoundError(f"no such file or folder: {path}")
        for file in _files_under(path):
            stat = file.stat()
            state = (stat.st_mtime_ns, stat.st_size)
            if self._files.get(str(file)) == state or _age_s(stat.st_mtime_ns) < self.settle_s:
                continue
            for raw in sources.read_sources([str(file)], settings=self.settings):
                self._ingest(raw, poll)
            self._files[str(file)] = state

    # -- feeds -----------------------------------------------------------

    def _poll_feed(self, url: str, poll: PollSummary) -> None:
        page = fetch(url, allow_private=self.allow_private, max_bytes=self.settings.max_bytes, timeout=FEED_TIMEOUT_S)
        if not page.ok:
            raise FetchError(f"HTTP {page.status_code}")
        pairs = zip(feed_items(page.content), list(_feed_documents(page.content, url, self.settings)))
        for number, (item, raw) in enumerate(pairs, 1):
            key = seen_key(url, item.key or hashlib.sha1(raw.content).hexdigest())
            if self._seen(key):
                continue
            if not item.full and item.link:
                try:
                    raw = self._article(urljoin(url, item.link), raw)
                except LaunchwatchError as err:
                    poll.errors.append(f"{shown_url(url)} item {number}: {err}")
                    continue   # tried again at the next poll
            doc_id = self._ingest(raw, poll)
            self._remember(key, url, item.key or item.link or "", doc_id)

    def _article(self, link: str, raw: RawDocument) -> RawDocument:
        """The page an item links to, as a document with the item's title, date and id."""
        page = fetch(link, allow_private=self.allow_private, max_bytes=self.settings.max_bytes,
                     timeout=FEED_TIMEOUT_S)
        if not page.ok:
            raise FetchError(f"HTTP {page.status_code} for {shown_url(link)}")
        kind = "text" if page.headers.get("content-type", "").startswith("text/plain") else "html"
        return RawDocument(source=link, content=page.content, kind=kind, url=page.url,
                           external_id=raw.external_id, published=raw.published, title=raw.title)

    def _seen(self, key: str) -> bool:
        with self.store.engine.connect() as conn:
            return conn.execute(select(watch_seen.c.key).where(watch_seen.c.key == key)).first() is not None

    def _remember(self, key: str, feed: str, item: str, doc_id: str | None) -> None:
        row = {"key": key, "feed": feed, "item": item, "doc_id": doc_id,
               "seen_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        with self.store.atomic() as conn:
            conn.execute(insert(watch_seen), [row])

    # -- storing ---------------------------------------------------------

    def _ingest(self, raw: RawDocument, poll: PollSummary) -> str | None:
        """Process and store one document unless already stored; returns its doc id."""
        if raw.error is None and self._stored(raw.doc_id):
            poll.count("duplicate")
            return raw.doc_id
        try:
            result = process(raw, self.settings, self.knowledge)
        except Exception as err:  # noqa: BLE001 - one bad document never stops the watch
            result = Result(raw, error=f"{type(err).__name__}: {err}")
        status = store_result(self.store, result)
        poll.count(status)
        if status == "failed":
            poll.errors.append(f"{raw.source}: {result.error}")
        return raw.doc_id

    def _stored(self, doc_id: str) -> bool:
        with self.store.engine.connect() as conn:
            status = conn.execute(select(documents.c.status).where(documents.c.id == doc_id)).scalar()
        return status in DONE_STATUSES


@dataclass(frozen=True)
class FeedItem:
    key: str | None      # guid or Atom id, else the link
    link: str | None
    full: bool           # the feed carries the article (content:encoded, Atom content), not only a summary


def feed_items(content: bytes) -> list[FeedItem]:
    """What watch needs to know of each item, in the order sources.read_feed yields them."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as err:
        raise FetchError(f"not a feed: {str(err).splitlines()[0][:160]}") from None
    if root is None or etree.QName(root).localname not in ("rss", "feed", "RDF"):
        raise FetchError("not a feed: no <rss>, <feed> or <rdf:RDF> root")
    items = []
    for item in root.iter(*sources.FEED_ITEMS):
        link = _item_link(item)
        guid = _text(item, "guid", f"{sources.ATOM}id")
        items.append(FeedItem(guid or link, link, _has_full_content(item)))
    return items


def seen_key(feed_url: str, item_key: str) -> str:
    return hashlib.sha1(f"{feed_url}\n{item_key}".encode("utf-8")).hexdigest()


def _feed_documents(content: bytes, url: str, settings: Settings) -> Iterator[RawDocument]:
    """sources.read_feed over the fetched bytes, each item's source named after the feed URL."""
    handle, path = tempfile.mkstemp(suffix=".xml", prefix="launchwatch-feed-")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        for raw in sources.read_feed(Path(path), settings):
            yield replace(raw, source=shown_url(url) + "#" + raw.source.rsplit("#", 1)[-1])
    finally:
        os.unlink(path)


def _has_full_content(item) -> bool:
    node = item.find(sources.CONTENT_ENCODED)
    if node is None:
        node = item.find(f"{sources.ATOM}content")
    return node is not None and bool((node.text or "").strip() or len(node))


def _item_link(item) -> str | None:
    text = _text(item, "link", f"{sources.RSS1}link")
    if text:
        return text
    for link in item.iterfind(f"{sources.ATOM}link"):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link.get("href").strip()
    return None


def _text(item, *tags: str) -> str | None:
    for tag in tags:
        node = item.find(tag)
        if node is not None and node.text and node.text.strip():
            return node.text.strip()
    return None


def _files_under(path: Path) -> list[Path]:
    """A file, or every supported file in a folder (recursive, sorted, hidden entries skipped)."""
    if path.is_file():
        return [path]
    found = []
    for file in sorted(path.rglob("*")):
        parts = file.relative_to(path).parts
        if file.is_file() and not any(p.startswith(".") for p in parts) and _readable(file):
            found.append(file)
    return found


def _readable(file: Path) -> bool:
    """A supported extension; an .xml file only when it holds a feed (as `ingest` reads folders)."""
    name = file.name.lower()
    if not name.endswith(sources.SUPPORTED_EXTENSIONS):
        return False
    if not name.endswith(".xml"):
        return True
    with file.open("rb") as stream:
        return sources.FEED_ROOT.search(stream.read(sources.SNIFF_BYTES)) is not None


def _age_s(mtime_ns: int) -> float:
    return datetime.now(timezone.utc).timestamp() - mtime_ns / 1e9


def _shown(source: str) -> str:
    return shown_url(source) if is_feed_url(source) else source
