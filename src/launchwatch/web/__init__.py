"""launchwatch serve: the REST API, the analysts' web UI, accounts, review and alerts.

  app.py       create_app(WebSettings): the FastAPI app, its routers and middleware;
               create_served_app for `launchwatch serve`'s own processes
  settings.py  WebSettings from the environment (database, anonymous read, secret key)
  api.py       JSON API under /api/ (events, documents, search, stats), one error shape
  pages.py     server-rendered HTML pages, each the twin of an API query
  auth.py      accounts, signed-cookie sessions, CSRF, login rate limit, review forms
  alerts.py    the Atom feed, webhooks (HMAC-signed, retried, logged)
  fetch.py     fetching URLs safely (no private addresses, size/time/redirect limits)
  queries.py   the read queries both the API and the pages call
  fulltext.py  text search: the document index (0006) and SQLite's list-ordered index (0007)
"""
