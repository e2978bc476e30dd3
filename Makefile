# Two entry points do all set-up on a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= launchwatch.db

.PHONY: demo test venv dev clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

venv: $(BIN)/python
	$(BIN)/pip install --quiet -e .

dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'

demo: venv
	$(BIN)/launchwatch --db sqlite:///$(DB) ingest examples/
	$(BIN)/launchwatch --db sqlite:///$(DB) events

# Storage tests also run on a throwaway PostgreSQL server; ensure-postgres installs it
# if missing. Should that fail, pytest still runs and the PostgreSQL tests fail with why.
test: dev
	scripts/ensure-postgres || echo "make test: PostgreSQL could not be installed" >&2
	scripts/ensure-chromium || echo "make test: Chromium could not be installed" >&2
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) $(DB) build *.egg-info src/*.egg-info
