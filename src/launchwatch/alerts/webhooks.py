"""Webhooks: receivers of the event changes, their signed JSON payloads, and the delivery log.

    hook, secret = add_webhook(store, "https://ops.example/hooks/launches", filters={"actor": ["KP"]})
    body = payload(change, delivery="3-41", sent_at="2026-03-04T01:02:03+00:00")
    signature(secret, body)          # "sha256=<hex HMAC-SHA256 of the raw body>"

A webhook receives the changes recorded after it was added (its `last_seq`
starts at the newest change), those whose event matches its filters, in
order. The payload is

    {"type": "event.created" | "event.updated" | "event.removed",
     "event": {listing fields}, "changed_fields": [...], "replaced_by": id or null,
     "seq": N, "delivery": "W-N", "sent_at": ISO 8601 UTC}

and its headers carry the same delivery id and time, the attempt number and
the signature of the raw body; the body holds the id and time too, so the
signature covers them. Secrets never leave the table: listings and logs show
none of them.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import secrets as secrets_module
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, insert, select, update

from launchwatch.alerts.lease import stamp, utcnow
from launchwatch.alerts.tables import event_changes, webhook_deliveries, webhooks
from launchwatch.errors import LaunchwatchError

TYPES = {"new": "event.created", "updated": "event.updated", "removed": "event.removed"}
FILTER_KEYS = ("actor", "class", "status")
SIGNATURE_HEADER = "X-Launchwatch-Signature"
DELIVERY_HEADER = "X-Launchwatch-Delivery"
TIMESTAMP_HEADER = "X-Launchwatch-Timestamp"
ATTEMPT_HEADER = "X-Launchwatch-Attempt"


class WebhookError(LaunchwatchError):
    """A webhook that cannot be added or found."""


@dataclass(frozen=True)
class Webhook:
    id: int
    url: str
    secret: str
    filters: dict[str, list[str]]
    active: bool
    created_at: str
    last_seq: int

    def public(self) -> dict[str, Any]:
        """Everything but the secret."""
        return {"id": self.id, "url": self.url, "filters": self.filters, "active": self.active,
                "created_at": self.created_at, "last_seq": self.last_seq}


def clean_filters(filters: dict[str, Any] | None) -> dict[str, list[str]]:
    """{"actor": ["KP"], "class": ["irbm"], "status": [...]}: upper-case actors, lower-case classes, no empties."""
    out = {}
    for key, values in (filters or {}).items():
        if key not in FILTER_KEYS:
            raise WebhookError(f"unknown filter {key!r}: use {', '.join(FILTER_KEYS)}")
        values = [str(v).strip() for v in ([values] if isinstance(values, str) else values) if str(v).strip()]
        if values:
            out[key] = sorted({v.upper() if key == "actor" else v.lower() for v in values})
    return out


def matches(filters: dict[str, list[str]], event: dict[str, Any]) -> bool:
    """Whether an event (a listing) passes a webhook's filters; no filter passes everything."""
    fields = {"actor": event.get("actor"), "class": event.get("weapon_class"), "status": event.get("status")}
    return all(fields[key] in values for key, values in filters.items())


def add_webhook(store, url: str, secret: str | None = None,
                filters: dict[str, Any] | None = None) -> tuple[Webhook, str]:
    """Store a new receiver; returns it and its secret (a random one when none is given)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise WebhookError(f"a webhook URL must be http:// or https:// with a host, not {url!r}")
    secret = secret or secrets_module.token_urlsafe(32)
    row = {"url": url, "secret": secret, "filters": clean_filters(filters), "active": True,
           "created_at": stamp(utcnow()), "last_seq": 0}
    with store.atomic() as conn:
        row["last_seq"] = conn.execute(select(func.max(event_changes.c.seq))).scalar() or 0
        hook_id = conn.execute(insert(webhooks).values(**row)).inserted_primary_key[0]
    return Webhook(id=hook_id, **row), secret


def list_webhooks(store, include_removed: bool = False) -> list[Webhook]:
    query = select(webhooks).order_by(webhooks.c.id)
    if not include_removed:
        query = query.where(webhooks.c.active.is_(True))
    with store.engine.connect() as conn:
        return [Webhook(**row) for row in conn.execute(query).mappings()]


def remove_webhook(store, hook_id: int) -> None:
    """Stop deliveries to a webhook; its delivery log is kept."""
    with store.atomic() as conn:
        done = conn.execute(update(webhooks).where(webhooks.c.id == hook_id, webhooks.c.active.is_(True))
                            .values(active=False))
    if done.rowcount != 1:
        raise WebhookError(f"no active webhook with id {hook_id} (see `launchwatch webhook list`)")


def delivery_log(store, limit: int = 50, hook_id: int | None = None) -> list[dict[str, Any]]:
    """Delivery attempts, newest first."""
    query = select(webhook_deliveries).order_by(webhook_deliveries.c.id.desc()).limit(limit)
    if hook_id is not None:
        query = query.where(webhook_deliveries.c.webhook_id == hook_id)
    with store.engine.connect() as conn:
        return [dict(row) for row in conn.execute(query).mappings()]


def payload(change: dict[str, Any], *, delivery: str, sent_at: str) -> bytes:
    """The JSON body POSTed for one outbox row (compact, UTF-8)."""
    body = {"type": TYPES[change["kind"]], "event": change["event"], "changed_fields": change["changed_fields"],
            "replaced_by": change.get("replaced_by"), "seq": change["seq"], "delivery": delivery,
            "sent_at": sent_at}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, header: str) -> bool:
    """What a receiver does: recompute the signature and compare in constant time."""
    return hmac.compare_digest(signature(secret, body), header or "")
