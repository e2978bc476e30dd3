"""Alerts on real extraction (tests/data/resolution): the event_changes outbox written by resolution,
webhooks delivered to a real receiver on loopback (signed, retried with backoff, logged, in order),
the delivery lease, `launchwatch watch` on a folder and on a feed, and the CLI."""
from __future__ import annotations

import json
import random
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from launchwatch.alerts import lease
from launchwatch.alerts.changes import material, listing
from launchwatch.alerts.delivery import Deliverer
from launchwatch.alerts.tables import event_changes, webhook_deliveries, webhooks
from launchwatch.alerts.watch import Watcher
from launchwatch.alerts.webhooks import WebhookError, add_webhook, list_webhooks, remove_webhook, verify
from launchwatch.cli import cli
from launchwatch.ingest import ingest
from launchwatch.knowledge import load_knowledge
from launchwatch.resolve import list_events, rebuild, resolve_pending
from launchwatch.resolve.actions import record
from launchwatch.settings import Settings
from launchwatch.store import Store
from launchwatch.store.models import events
from local_http import LocalHTTP

SET = Path(__file__).parent / "data" / "resolution"
MANIFEST = [json.loads(line) for line in (SET / "manifest.jsonl").read_text().splitlines()]
KNOWLEDGE = load_knowledge()
OK = (200, {}, b"ok")
FAIL = (500, {}, b"boom")


def _ingest(store: Store, names: list[str], tmp_path: Path) -> None:
    entries = [e for name in names for e in MANIFEST if e["id"] == name]
    manifest = tmp_path / f"m{random.random()}.jsonl"
    manifest.write_text("".join(json.dumps({**e, "path": str(SET / e["path"])}) + "\n" for e in entries))
    ingest([], store=store, settings=Settings(), manifest=str(manifest))
    resolve_pending(store, KNOWLEDGE)


def _changes(store: Store) -> list[dict]:
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(event_changes).order_by(event_changes.c.seq)).mappings()]


def _deliveries(store: Store) -> list[dict]:
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(webhook_deliveries).order_by(webhook_deliveries.c.id)).mappings()]


def _main_id(store: Store) -> str:
    return next(e["id"] for e in list_events(store) if "flash" in e["documents"])


@pytest.fixture
def store(db_url):
    with Store(db_url) as s:
        yield s


class Clock:
    """A clock the test moves by hand."""

    def __init__(self):
        self.now = datetime(2026, 3, 4, 12, 0, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


# -- change tracking -----------------------------------------------------------

def test_changes_new_then_updated_when_a_new_claim_changes_a_chosen_value(store, tmp_path):
    _ingest(store, ["flash"], tmp_path)
    [new] = _changes(store)
    assert new["kind"] == "new" and new["event"]["distance_km"] == 1000
    assert {"actor", "date", "distance_km", "status"} <= set(new["changed_fields"])
    _ingest(store, ["update"], tmp_path)    # JCS: 1,050 km; Japan: about 1,100 km
    [_, updated] = _changes(store)
    assert (updated["kind"], updated["event_id"]) == ("updated", new["event_id"])
    assert "distance_km" in updated["changed_fields"] and "conflicts" in updated["changed_fields"]
    assert updated["event"]["distance_km"] == 1050 and "distance_km" in updated["event"]["conflict_fields"]


def test_changes_none_on_reingest_copy_or_rebuild(store, tmp_path):
    _ingest(store, ["flash", "update", "kcna"], tmp_path)
    before = _changes(store)
    _ingest(store, ["flash", "update"], tmp_path)     # the same bytes again
    _ingest(store, ["copy"], tmp_path)                # a syndicated copy: one more citation, nothing new
    rebuild(store, KNOWLEDGE)
    assert _changes(store) == before


def test_changes_removed_on_merge_with_the_event_that_holds_its_reports(store, tmp_path):
    _ingest(store, ["flash", "weekend"], tmp_path)
    ids = sorted(e["id"] for e in list_events(store))
    seq = _changes(store)[-1]["seq"]
    record(store, "merge", ids, analyst="kim", reason="one launch", knowledge=KNOWLEDGE)
    later = [c for c in _changes(store) if c["seq"] > seq]
    [survivor] = [e["id"] for e in list_events(store)]
    [removed] = [c for c in later if c["kind"] == "removed"]
    assert removed["event_id"] in ids and removed["event_id"] != survivor
    assert removed["replaced_by"] == survivor and removed["event"]["id"] == removed["event_id"]
    assert [c["kind"] for c in later if c["event_id"] == survivor] == ["updated"]
    assert later[-1] == removed                  # the successor is told first


def test_changes_record_reviews_and_the_outbox_ends_at_the_current_state_in_any_order(tmp_path, db_url):
    names = [e["id"] for e in MANIFEST]
    finals = []
    for seed, url in ((1, db_url), (2, f"sqlite:///{tmp_path / 'other.db'}")):
        random.Random(seed).shuffle(names)
        with Store(url) as s:
            for name in names:
                _ingest(s, [name], tmp_path)
            main = _main_id(s)
            record(s, "reject", [main], analyst="kim", reason="test", knowledge=KNOWLEDGE)
            latest = {}
            for change in _changes(s):
                latest[change["event_id"]] = change
            with s.engine.connect() as conn:
                current = {r["id"]: listing(r) for r in conn.execute(select(events)).mappings()}
            assert {i for i, c in latest.items() if c["kind"] != "removed"} == set(current)
            for event_id, event in current.items():
                assert material(latest[event_id]["event"]) == material(event)
            assert latest[main]["changed_fields"] == ["review"]
            finals.append({i: material(e) for i, e in current.items()})
    assert finals[0] == finals[1]


# -- webhooks ------------------------------------------------------------------

def test_webhook_receives_signed_payloads_in_order(store, tmp_path):
    with LocalHTTP({"/hook": OK}) as receiver:
        hook, secret = add_webhook(store, receiver.url + "/hook")
        _ingest(store, ["flash"], tmp_path)
        _ingest(store, ["update"], tmp_path)
        summary = Deliverer(store, allow_private=True).run_once()
    assert (summary.delivered, summary.failed) == (2, 0)
    first, second = receiver.requests
    documented = _docs_verify_signature()
    for request in (first, second):
        assert verify(secret, request.body, request.headers["X-Launchwatch-Signature"])
        assert documented(secret, request.body, request.headers["X-Launchwatch-Signature"])
        assert not documented(secret, request.body + b" ", request.headers["X-Launchwatch-Signature"])
        assert not verify("another secret", request.body, request.headers["X-Launchwatch-Signature"])
        assert request.headers["Content-Type"] == "application/json"
    body = json.loads(first.body)
    assert body["type"] == "event.created" and body["event"]["actor"] == "KP"
    assert body["delivery"] == first.headers["X-Launchwatch-Delivery"] == f"{hook.id}-{body['seq']}"
    assert body["sent_at"] == first.headers["X-Launchwatch-Timestamp"]
    later = json.loads(second.body)
    assert later["type"] == "event.updated" and "distance_km" in later["changed_fields"]
    assert later["seq"] > body["seq"]
    log = _deliveries(store)
    assert [(d["seq"], d["attempt"], d["ok"], d["status_code"]) for d in log] == [
        (body["seq"], 1, True, 200), (later["seq"], 1, True, 200)]
    assert Deliverer(store, allow_private=True).run_once().delivered == 0    # nothing twice


def _docs_verify_signature():
    """The verification snippet of docs/alerts.md, as a receiver would paste it."""
    text = (Path(__file__).parent.parent / "docs" / "alerts.md").read_text()
    code = next(block.split("```")[0] for block in text.split("```python")[1:] if "def verify_signature" in block)
    scope: dict = {}
    exec(code, scope)   # noqa: S102 - our own documentation
    return scope["verify_signature"]


def test_webhook_retries_with_backoff_after_500s_and_keeps_order(store, tmp_path):
    clock = Clock()
    with LocalHTTP({"/hook": [FAIL, FAIL, OK]}) as receiver:
        add_webhook(store, receiver.url + "/hook")
        _ingest(store, ["flash"], tmp_path)
        _ingest(store, ["update"], tmp_path)
        deliverer = Deliverer(store, allow_private=True, backoff=(60, 300), clock=clock)
        assert deliverer.run_once().failed == 1
        assert deliverer.run_once().waiting == 1          # not yet: the first retry is a minute away
        clock.advance(61)
        assert deliverer.run_once().failed == 1
        clock.advance(299)
        assert deliverer.run_once().waiting == 1
        clock.advance(2)
        summary = deliverer.run_once()
    assert (summary.delivered, summary.failed) == (2, 0)      # the retried change, then the next one
    log = _deliveries(store)
    first_seq = log[0]["seq"]
    assert [(d["seq"], d["attempt"], d["ok"], d["status_code"]) for d in log] == [
        (first_seq, 1, False, 500), (first_seq, 2, False, 500), (first_seq, 3, True, 200),
        (log[-1]["seq"], 1, True, 200)]
    assert log[0]["error"] == "HTTP 500" and log[0]["next_attempt_at"] == lease.stamp(
        datetime(2026, 3, 4, 12, 1, tzinfo=timezone.utc))
    assert log[1]["next_attempt_at"] == lease.stamp(datetime(2026, 3, 4, 12, 6, 1, tzinfo=timezone.utc))
    seqs = [json.loads(r.body)["seq"] for r in receiver.requests]
    assert seqs == [first_seq, first_seq, first_seq, log[-1]["seq"]]


def test_webhook_gives_up_after_the_last_attempt_and_moves_on(store, tmp_path):
    with LocalHTTP({"/hook": FAIL}) as receiver:
        add_webhook(store, receiver.url + "/hook")
        _ingest(store, ["flash"], tmp_path)
        deliverer = Deliverer(store, allow_private=True, backoff=(0,))
        assert deliverer.run_once().failed == 1
        assert deliverer.run_once().gave_up == 1
        _ingest(store, ["iran"], tmp_path)
        assert deliverer.run_once().failed == 1           # the next change is tried: the first was given up
    log = _deliveries(store)
    assert [(d["attempt"], d["ok"]) for d in log] == [(1, False), (2, False), (1, False)]
    assert "gave up after 2 attempts" in log[1]["error"] and log[1]["next_attempt_at"] is None


def test_webhook_filters_and_removal(store, tmp_path):
    with LocalHTTP({"/ir": OK, "/all": OK}) as receiver:
        iran, _ = add_webhook(store, receiver.url + "/ir", filters={"actor": ["ir"]})
        everything, _ = add_webhook(store, receiver.url + "/all")
        _ingest(store, ["flash", "iran"], tmp_path)
        summary = Deliverer(store, allow_private=True).run_once()
        assert (summary.delivered, summary.skipped) == (3, 1)
        bodies = [json.loads(r.body) for r in receiver.requests if r.path == "/ir"]
        assert [b["event"]["actor"] for b in bodies] == ["IR"]
        remove_webhook(store, everything.id)
        _ingest(store, ["weekend"], tmp_path)
        Deliverer(store, allow_private=True).run_once()
    assert [h.id for h in list_webhooks(store)] == [iran.id]
    assert len(receiver.requests) == 3
    with pytest.raises(WebhookError):
        remove_webhook(store, everything.id)
    with pytest.raises(WebhookError):
        add_webhook(store, "ftp://example.com/hook")


def test_webhook_to_a_private_address_is_refused_without_the_setting_and_no_secret_is_logged(store, tmp_path, caplog):
    with LocalHTTP({"/hook": OK}) as receiver:
        add_webhook(store, receiver.url.replace("http://", "http://admin:pw123@") + "/hook?token=abc",
                    secret="s3cret-value")
        _ingest(store, ["flash"], tmp_path)
        summary = Deliverer(store).run_once()
    assert summary.failed == 1 and receiver.requests == []
    [attempt] = _deliveries(store)
    assert "loopback address 127.0.0.1" in attempt["error"] and attempt["status_code"] is None
    logged = caplog.text + attempt["error"]
    assert "refused" in caplog.text
    for secret in ("s3cret-value", "pw123", "token=abc"):
        assert secret not in logged


def test_lease_lets_one_deliverer_at_a_time(store):
    clock = Clock()
    assert lease.acquire(store, "webhooks", "a", ttl_s=60, clock=clock)
    assert not lease.acquire(store, "webhooks", "b", ttl_s=60, clock=clock)
    assert lease.acquire(store, "webhooks", "a", ttl_s=60, clock=clock)       # renewing
    assert not Deliverer(store, holder="b", clock=clock).run_once().busy       # no webhooks: no lease needed
    add_webhook(store, "https://hooks.example/x")
    assert Deliverer(store, holder="b", clock=clock).run_once().busy
    clock.advance(61)                                                          # a died: its lease ran out
    assert lease.acquire(store, "webhooks", "b", ttl_s=60, clock=clock)
    lease.release(store, "webhooks", "b")
    assert lease.acquire(store, "webhooks", "a", ttl_s=60, clock=clock)


def test_a_deliverer_that_lost_its_lease_stops_its_pass(store, tmp_path):
    from launchwatch.web.fetch import fetch

    clock = Clock()
    with LocalHTTP({"/hook": OK}) as receiver:
        add_webhook(store, receiver.url + "/hook")
        _ingest(store, ["flash", "iran"], tmp_path)

        def slow_post(url, **options):       # the receiver takes longer than the lease lasts
            answer = fetch(url, **options)
            clock.advance(120)
            assert lease.acquire(store, "webhooks", "another worker", ttl_s=60, clock=clock)
            return answer

        summary = Deliverer(store, allow_private=True, clock=clock, post=slow_post).run_once()
    assert summary.delivered == 1 and len(receiver.requests) == 1
    assert not lease.acquire(store, "webhooks", "a third", ttl_s=60, clock=clock)   # still the other's


def test_server_delivers_webhooks_from_its_background_thread(tmp_path):
    from launchwatch.web.settings import WebSettings
    from web_server import LiveServer

    url = f"sqlite:///{tmp_path / 'live.db'}"
    with Store(url) as s, LocalHTTP({"/hook": OK}) as receiver:
        _, secret = add_webhook(s, receiver.url + "/hook")
        settings = WebSettings(core=Settings(db_url=url), allow_private_urls=True, secret_key="test")
        with LiveServer(settings):
            _ingest(s, ["flash"], tmp_path)      # another process (here: the test) ingests
            [request] = receiver.wait_for(1, timeout=20)
    assert verify(secret, request.body, request.headers["X-Launchwatch-Signature"])
    assert json.loads(request.body)["type"] == "event.created"


# -- watch -----------------------------------------------------------------------

def test_watch_on_a_folder_ingests_a_new_file_once(store, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    watcher = Watcher(store, Settings(), [str(inbox)], settle_s=0, knowledge=KNOWLEDGE)
    assert watcher.poll_once().read == 0
    (inbox / "flash.txt").write_bytes((SET / "flash.txt").read_bytes())
    (inbox / ".hidden.txt").write_bytes((SET / "iran.txt").read_bytes())
    (inbox / "notes.xml").write_text("<notes>not a feed</notes>")
    first = watcher.poll_once()
    assert (first.added, first.resolved, first.errors) == (1, 1, [])
    assert watcher.poll_once().read == 0                  # unchanged: not read again
    again = Watcher(store, Settings(), [str(inbox)], settle_s=0, knowledge=KNOWLEDGE).poll_once()
    assert (again.added, again.duplicates) == (0, 1)      # a new watcher: stored already, not processed
    assert len(list_events(store)) == 1


def test_watch_leaves_a_file_being_written_for_the_next_poll(store, tmp_path):
    (tmp_path / "flash.txt").write_bytes((SET / "flash.txt").read_bytes())
    watcher = Watcher(store, Settings(), [str(tmp_path / "flash.txt")], settle_s=60, knowledge=KNOWLEDGE)
    assert watcher.poll_once().read == 0


def _rss() -> bytes:
    """Two items: one with its full text, one with a summary and a (relative) link to the article."""
    full = (SET / "flash.txt").read_text().replace("&", "&amp;").replace("<", "&lt;")
    return f"""<?xml version="1.0"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Wire</title>
<item><title>Flash</title><guid>wire-1</guid><pubDate>Wed, 04 Mar 2026 01:00:00 +0000</pubDate>
  <description>North Korea fired a missile.</description><content:encoded>{full}</content:encoded></item>
<item><title>Iran</title><link>/articles/iran</link><pubDate>Wed, 04 Mar 2026 09:00:00 +0000</pubDate>
  <description>Iran tested a cruise missile, officials said.</description></item>
</channel></rss>""".encode()


def test_watch_on_a_feed_ingests_each_item_once_fetching_links_of_summaries(store, tmp_path):
    article = (200, {"Content-Type": "text/plain"}, (SET / "iran.txt").read_bytes())
    with LocalHTTP({"/articles/iran": article}) as site:
        site.routes["/feed.rss"] = (200, {"Content-Type": "application/rss+xml"}, _rss())
        watcher = Watcher(store, Settings(), [site.url + "/feed.rss"], allow_private=True, knowledge=KNOWLEDGE)
        first = watcher.poll_once()
        second = watcher.poll_once()
    assert (first.added, first.errors) == (2, [])
    assert second.read == 0
    assert [r.path for r in site.requests] == ["/feed.rss", "/articles/iran", "/feed.rss"]
    assert sorted(e["actor"] for e in list_events(store)) == ["IR", "KP"]
    docs = {d["external_id"] or d["url"]: d for d in store.documents()}
    assert docs["wire-1"]["source"] == site.url + "/feed.rss#item=1"
    assert docs[site.url + "/articles/iran"]["title"] == "Iran"


def test_watch_records_unreachable_feeds_and_goes_on(store, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "flash.txt").write_bytes((SET / "flash.txt").read_bytes())
    with LocalHTTP({}) as site:
        missing = site.url + "/gone.rss"
        closed = "http://127.0.0.1:9/feed.rss"
        watcher = Watcher(store, Settings(), [missing, closed, "https://10.1.1.1/feed", str(inbox)],
                          allow_private=False, settle_s=0, knowledge=KNOWLEDGE)
        refused = watcher.poll_once()
        watcher.allow_private = True
        watcher.sources = [missing, closed]
        unreachable = watcher.poll_once()
    assert refused.added == 1 and len(refused.errors) == 3
    assert all("refused" in e for e in refused.errors)
    assert "HTTP 404" in unreachable.errors[0] and "cannot fetch" in unreachable.errors[1]


# -- command line ------------------------------------------------------------------

def test_cli_webhook_add_list_deliver_log_remove(tmp_path, monkeypatch):
    monkeypatch.delenv("LAUNCHWATCH_ALLOW_PRIVATE_URLS", raising=False)
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    runner = CliRunner()
    with LocalHTTP({"/hook": OK}) as receiver:
        added = runner.invoke(cli, ["--db", db, "webhook", "add", receiver.url + "/hook", "--actor", "kp"])
        assert added.exit_code == 0, added.output
        secret = added.output.split("secret: ")[1].split()[0]
        listed = runner.invoke(cli, ["--db", db, "webhook", "list"])
        assert "actor=KP" in listed.output and secret not in listed.output
        with Store(db) as s:
            _ingest(s, ["flash"], tmp_path)
        refused = runner.invoke(cli, ["--db", db, "webhook", "deliver"])
        assert refused.exit_code == 1 and "failed 1" in refused.output
        monkeypatch.setenv("LAUNCHWATCH_ALLOW_PRIVATE_URLS", "1")
        with Store(db) as s, s.atomic() as conn:     # make the retry due now
            conn.execute(webhook_deliveries.update().values(next_attempt_at=None))
        delivered = runner.invoke(cli, ["--db", db, "webhook", "deliver"])
        assert delivered.exit_code == 0 and "delivered 1" in delivered.output
    assert verify(secret, receiver.requests[0].body, receiver.requests[0].headers["X-Launchwatch-Signature"])
    log = runner.invoke(cli, ["--db", db, "webhook", "log", "--limit", "5"])
    lines = log.output.splitlines()
    assert len(lines) == 2 and "attempt 2  ok 200" in lines[0] and "FAILED refused" in lines[1]
    assert secret not in log.output
    assert runner.invoke(cli, ["--db", db, "webhook", "remove", "1"]).exit_code == 0
    assert runner.invoke(cli, ["--db", db, "webhook", "remove", "1"]).exit_code == 1
    assert runner.invoke(cli, ["--db", db, "webhook", "add", "file:///etc/passwd"]).exit_code == 1


def test_cli_watch_once_and_bad_sources(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "flash.txt").write_bytes((SET / "flash.txt").read_bytes())
    db = f"sqlite:///{tmp_path / 'w.db'}"
    runner = CliRunner()
    done = runner.invoke(cli, ["--db", db, "watch", str(inbox), "--once"])
    assert done.exit_code == 0 and "added 1" in done.output and "reports resolved 1" in done.output
    missing = runner.invoke(cli, ["--db", db, "watch", str(tmp_path / "nowhere"), "--once"])
    assert missing.exit_code == 1 and "no such file or folder" in missing.output
    assert runner.invoke(cli, ["--db", db, "watch", "ftp://example.com/feed", "--once"]).exit_code == 2
    assert "Example" in runner.invoke(cli, ["watch", "--help"]).output


def test_watch_stops_cleanly_when_asked(store, tmp_path):
    import threading

    stop = threading.Event()
    polls = []
    watcher = Watcher(store, Settings(), [str(tmp_path)], settle_s=0, knowledge=KNOWLEDGE)
    thread = threading.Thread(target=watcher.run, args=(30, stop, polls.append))
    thread.start()
    time.sleep(0.5)
    stop.set()
    thread.join(5)
    assert not thread.is_alive() and len(polls) == 1


@pytest.mark.parametrize("how", ["SIGINT", "SIGTERM"])
def test_cli_watch_stops_cleanly_on_ctrl_c_and_sigterm(tmp_path, how):
    import os
    import signal
    import subprocess
    import sys

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "flash.txt").write_bytes((SET / "flash.txt").read_bytes())
    os.utime(inbox / "flash.txt", (time.time() - 60, time.time() - 60))   # written a while ago: settled
    command = [sys.executable, "-c", "from launchwatch.cli import main; main()", "--db", f"sqlite:///{tmp_path / 'w.db'}",
               "watch", str(inbox), "--interval", "60"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        line = process.stdout.readline()          # the first poll is done
        assert "added 1" in line
        process.send_signal(getattr(signal, how))
        out, err = process.communicate(timeout=20)
    finally:
        process.kill()
    assert process.returncode == 0 and "watch stopped" in err
