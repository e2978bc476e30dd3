"""Alerts: what changed in the event database, told to feeds, webhooks and watchers.

  tables.py    event_changes (the outbox), webhooks, webhook_deliveries, alert_leases, watch_seen
  changes.py   change tracking: new, materially updated and removed events, written by resolution
  feed.py      the latest change of each event, filtered like the event list (for /feed.atom)
  webhooks.py  webhook configuration, signed JSON payloads, delivery with retries and backoff
  lease.py     one delivering worker at a time, across threads and processes
  watch.py     `launchwatch watch`: poll folders and feeds, ingest, resolve, deliver

The web side (the Atom feed, the delivery thread of the server) is web/alerts.py;
fetching URLs safely is web/fetch.py.
"""
