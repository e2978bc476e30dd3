"""launchwatch serve: the REST API, the analysts' web UI, accounts, review and alerts.

  app.py       create_app(WebSettings): the FastAPI app, its routers and middleware
  settings.py  WebSettings from the environment (database, anonymous read, secret key)
  api.py       JSON API under /api/ (events, documents, search, stats), one error shape
  pages.py     server-rendered HTML pages, each the twin of an API query
  auth.py      accounts, signed-cookie sessions, CSRF, login rate limit, review forms
  alerts.py    the Atom feed, webhooks (HMAC-signed, retried, logged)
  fetch.py     fetching URLs safely (no private addresses, size/time/redirect limits)
"""
