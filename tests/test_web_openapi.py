"""Schemathesis against the app's own OpenAPI spec (/api/openapi.json), in process (ASGI).

Every GET operation under /api/ gets generated requests, valid and invalid,
on a database holding tests/data/resolution, on SQLite and PostgreSQL. No
response may be a 5xx, and each must match the spec: a documented status
code, the documented content type, and a body that fits its schema (the one
error shape included). Writes need a logged-in account (tests/test_web_auth.py).
Examples per operation are capped (MAX_EXAMPLES) so the test stays bounded in time.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import schemathesis
from schemathesis import GenerationMode
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import (
    content_type_conformance, not_a_server_error, response_schema_conformance, status_code_conformance,
)

from launchwatch.ingest import ingest
from launchwatch.knowledge import load_knowledge
from launchwatch.resolve import resolve_pending
from launchwatch.settings import Settings
from launchwatch.store import Store
from launchwatch.web.app import create_app
from launchwatch.web.settings import WebSettings

SET = Path(__file__).parent / "data" / "resolution"
MAX_EXAMPLES = 40
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def api_schema(db_url, tmp_path):
    with Store(db_url) as store:
        manifest = tmp_path / "m.jsonl"
        manifest.write_text("".join(
            json.dumps({**entry, "path": str(SET / entry["path"])}) + "\n"
            for entry in map(json.loads, (SET / "manifest.jsonl").read_text().splitlines())))
        ingest([], store=store, settings=Settings(), manifest=str(manifest))
        resolve_pending(store, load_knowledge())
    app = create_app(WebSettings(core=Settings(db_url=db_url), anonymous_read=True, secret_key="schema-test"))
    yield schemathesis.openapi.from_asgi("/api/openapi.json", app).include(method="GET", path_regex="^/api/")
    app.state.store.close()


def _run(operation, mode: GenerationMode) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def check(case):
        case.call_and_validate(checks=CHECKS)

    check()


# schemathesis.pytest.from_fixture does not work with pytest 9 (it reads a removed private
# attribute), so each operation's cases are drawn with Hypothesis directly.
def test_web_openapi_responses_conform_and_never_fail(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/events", "/api/events/{event_id}", "/api/documents/{doc_id}",
                                              "/api/search", "/api/stats", "/api/health"}
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _run(operation, mode)
            except Unsatisfiable:
                # Nothing invalid to send: every parameter is a free string (GET /api/events/{event_id}).
                assert mode is GenerationMode.NEGATIVE, operation.label
            except Exception as err:
                err.add_note(f"operation: {operation.label}, {mode.value} cases")
                raise
