"""Delivering webhooks: each change, in order per webhook, retried with backoff, every attempt logged.

    summary = Deliverer(store, allow_private=False).run_once()   # `launchwatch webhook deliver`
    loop = DeliveryLoop(store, allow_private=False); loop.start(); ...; loop.stop()   # the server

One pass takes the "webhooks" lease (one deliverer at a time, across the
server's workers, `watch` and `webhook deliver`), then for every active
webhook walks the outbox from its `last_seq`: changes its filters skip are
passed over; the next one is POSTed (web/fetch.py: public addresses only
unless allowed, no redirects followed). A 2xx answer moves the webhook on;
anything else is logged and retried after the next wait of `backoff` (1 min,
5 min, 30 min, 2 h, 12 h), and given up after the last. A webhook waits on its
oldest undelivered change, so receivers see changes in order.
"""
from __future__ import annotations

import logging
import threading
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from sqlalchemy import insert, select, update

from launchwatch.alerts import lease
from launchwatch.alerts.tables import event_changes, webhook_deliveries, webhooks
from launchwatch.alerts.webhooks import (
    ATTEMPT_HEADER, DELIVERY_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, Webhook, list_webhooks, matches,
    payload, signature,
)
from launchwatch.web.fetch import FetchError, fetch, shown_url

log = logging.getLogger("launchwatch.alerts")

# Waits before the 2nd, 3rd, ... attempt; after the last one fails the change is given up.
BACKOFF_S = (60, 300, 1800, 7200, 43200)
DELIVERY_TIMEOUT_S = 10.0
# A receiver's answer is read only to log its status; a large one is cut short.
MAX_ANSWER_BYTES = 64 * 1024
LEASE_NAME = "webhooks"
LEASE_TTL_S = 60.0
BATCH = 200                      # outbox rows read at a time
LOOP_INTERVAL_S = 2.0            # the server's delivery thread looks for changes this often

Post = Callable[..., Any]


@dataclass
class DeliverySummary:
    delivered: int = 0
    failed: int = 0              # attempts that failed and will be retried
    gave_up: int = 0             # changes given up after the last attempt
    skipped: int = 0             # changes a webhook's filters pass over
    waiting: int = 0             # webhooks waiting for a retry's time
    busy: bool = False           # another worker holds the lease: nothing done

    def line(self) -> str:
        if self.busy:
            return "another worker is delivering webhooks; nothing done"
        return (f"delivered {self.delivered}, failed {self.failed} (to retry), gave up {self.gave_up}, "
                f"filtered out {self.skipped}, webhooks waiting to retry {self.waiting}")

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class Deliverer:
    """One delivery pass at a time; everything that varies in tests (backoff, clock, post) injectable."""

    def __init__(self, store, *, allow_private: bool = False, backoff: tuple[float, ...] = BACKOFF_S,
                 timeout: float = DELIVERY_TIMEOUT_S, clock: lease.Clock = lease.utcnow, post: Post = fetch,
                 holder: str | None = None):
        self.store, self.allow_private, self.backoff = store, allow_private, tuple(backoff)
        self.timeout, self.clock, self.post = timeout, clock, post
        self.holder = holder or lease.new_holder()

    def run_once(self) -> DeliverySummary:
        summary = DeliverySummary()
        if not list_webhooks(self.store):
            return summary       # an idle server writes nothing
        if not lease.acquire(self.store, LEASE_NAME, self.holder, LEASE_TTL_S, self.clock):
            summary.busy = True
            return summary
        try:
            for hook in list_webhooks(self.store):
                if not self._renew() or not self._deliver_hook(hook, summary):
                    break
        finally:
            lease.release(self.store, LEASE_NAME, self.holder)
        return summary

    def _deliver_hook(self, hook: Webhook, summary: DeliverySummary) -> bool:
        """Deliver a webhook's changes in order; False if the lease was lost (the pass must stop)."""
        cursor = hook.last_seq
        while changes := self._changes_after(cursor):
            for change in changes:
                if not matches(hook.filters, change["event"]):
                    summary.skipped += 1
                elif not self._attempt(hook, change, summary):
                    self._advance(hook.id, cursor)   # past the filtered-out ones; this one waits
                    return True
                elif not self._renew():
                    return False
                cursor = change["seq"]
        self._advance(hook.id, cursor)
        return True

    def _renew(self) -> bool:
        """Keep the lease while a long pass goes on (each attempt may take the whole timeout)."""
        kept = lease.acquire(self.store, LEASE_NAME, self.holder, LEASE_TTL_S, self.clock)
        if not kept:
            log.warning("webhook delivery lease lost to another worker; this pass stops")
        return kept

    def _changes_after(self, seq: int) -> list[dict[str, Any]]:
        query = select(event_changes).where(event_changes.c.seq > seq).order_by(event_changes.c.seq).limit(BATCH)
        with self.store.engine.connect() as conn:
            return [dict(row) for row in conn.execute(query).mappings()]

    def _attempt(self, hook: Webhook, change: dict[str, Any], summary: DeliverySummary) -> bool:
        """Deliver one change if due; True when the webhook may move past it (delivered or given up)."""
        now = self.clock()
        last = self._last_attempt(hook.id, change["seq"])
        if last and last["next_attempt_at"] and last["next_attempt_at"] > lease.stamp(now):
            summary.waiting += 1
            return False
        attempt = (last["attempt"] if last else 0) + 1
        status, error = self._post(hook, change, attempt, now)
        ok = status is not None and 200 <= status < 300
        final = ok or attempt > len(self.backoff)
        retry_at = None if final else lease.stamp(now + timedelta(seconds=self.backoff[attempt - 1]))
        if not ok and final:
            error = f"{error}; gave up after {attempt} attempts"
        self._log(hook, change, attempt, status, ok, error, now, retry_at, final)
        summary.delivered += ok
        summary.gave_up += not ok and final
        summary.failed += not final
        return final

    def _post(self, hook: Webhook, change: dict[str, Any], attempt: int, now: datetime) -> tuple[int | None, str | None]:
        delivery, sent_at = f"{hook.id}-{change['seq']}", lease.stamp(now)
        body = payload(change, delivery=delivery, sent_at=sent_at)
        headers = {"Content-Type": "application/json", "User-Agent": "launchwatch-webhooks",
                   SIGNATURE_HEADER: signature(hook.secret, body), DELIVERY_HEADER: delivery,
                   TIMESTAMP_HEADER: sent_at, ATTEMPT_HEADER: str(attempt)}
        try:
            answer = self.post(hook.url, method="POST", content=body, headers=headers,
                               allow_private=self.allow_private, max_redirects=0,
                               max_bytes=MAX_ANSWER_BYTES, timeout=self.timeout)
        except FetchError as err:
            return None, _without(str(err), hook.secret)
        if 200 <= answer.status_code < 300:
            return answer.status_code, None
        return answer.status_code, f"HTTP {answer.status_code}"

    def _last_attempt(self, hook_id: int, seq: int) -> dict[str, Any] | None:
        d = webhook_deliveries
        query = select(d.c.attempt, d.c.next_attempt_at).where(d.c.webhook_id == hook_id, d.c.seq == seq)
        with self.store.engine.connect() as conn:
            row = conn.execute(query.order_by(d.c.id.desc()).limit(1)).mappings().first()
        return dict(row) if row else None

    def _log(self, hook: Webhook, change: dict, attempt: int, status: int | None, ok: bool, error: str | None,
             now: datetime, retry_at: str | None, final: bool) -> None:
        """The attempt's row, and (when the change is done with) the webhook moved past it, in one transaction."""
        with self.store.atomic() as conn:
            conn.execute(insert(webhook_deliveries), [{
                "webhook_id": hook.id, "seq": change["seq"], "event_id": change["event_id"], "attempt": attempt,
                "status_code": status, "ok": ok, "error": error, "created_at": lease.stamp(now),
                "next_attempt_at": retry_at}])
            if final:
                _move_past(conn, hook.id, change["seq"])
        level = logging.INFO if ok else logging.WARNING
        log.log(level, "webhook %s (%s) change %s attempt %s: %s", hook.id, shown_url(hook.url), change["seq"],
                attempt, "delivered" if ok else error)

    def _advance(self, hook_id: int, seq: int) -> None:
        with self.store.atomic() as conn:
            _move_past(conn, hook_id, seq)


def _move_past(conn, hook_id: int, seq: int) -> None:
    conn.execute(update(webhooks).where(webhooks.c.id == hook_id, webhooks.c.last_seq < seq).values(last_seq=seq))


def _without(text: str, secret: str) -> str:
    return text.replace(secret, "***") if secret else text


class DeliveryLoop:
    """A daemon thread running delivery passes every `interval` seconds until stopped."""

    def __init__(self, store, *, allow_private: bool = False, interval: float = LOOP_INTERVAL_S, **options):
        self.deliverer = Deliverer(store, allow_private=allow_private, **options)
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="launchwatch-webhooks", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 15.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.deliverer.run_once()
            except Exception:   # noqa: BLE001 - a bad pass (database busy, ...) must not end the thread
                log.exception("webhook delivery pass failed")
            self._stop.wait(self.interval)
