"""sources.read_sources: every input kind, every failure as a record, never a raise."""
from __future__ import annotations

import io
import json
import os
import sys

import pytest

from launchwatch.errors import BinaryError, EmptyError, MalformedError, ReadError, TooLargeError
from launchwatch.records import content_hash
from launchwatch.settings import Settings
from launchwatch.sources import error_class, read_sources, sniff_kind

STORY = "North Korea fired two short-range ballistic missiles on Monday, the JCS said.\n"
PAGE = "<html><body><article><p>" + STORY + "</p></article></body></html>"


def write(folder, name, data):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def read_all(*paths, **kwargs):
    return list(read_sources([str(p) for p in paths], **kwargs))


def test_sources_reads_text_and_html_files_with_their_kind(tmp_path):
    text = write(tmp_path, "a.txt", STORY)
    page = write(tmp_path, "b.HTM", PAGE)
    docs = read_all(text, page)
    assert [(d.kind, d.error) for d in docs] == [("text", None), ("html", None)]
    assert docs[0].content == STORY.encode()
    assert docs[0].source == str(text)


def test_sources_identical_bytes_give_identical_doc_ids(tmp_path):
    first = write(tmp_path, "one.txt", STORY)
    second = write(tmp_path, "two.txt", STORY)
    a, b = read_all(first, second)
    assert a.doc_id == b.doc_id == content_hash(STORY.encode())


def test_sources_folder_is_recursive_sorted_and_skips_hidden_and_unknown(tmp_path):
    write(tmp_path, "b.txt", STORY + "b")
    write(tmp_path, "a.txt", STORY + "a")
    write(tmp_path, "sub/c.html", PAGE)
    write(tmp_path, ".hidden.txt", STORY)
    write(tmp_path, ".git/d.txt", STORY)
    write(tmp_path, "README.md", "# notes")
    names = [os.path.relpath(d.source, tmp_path) for d in read_all(tmp_path)]
    assert names == ["a.txt", "b.txt", os.path.join("sub", "c.html")]


def test_sources_json_object_and_list_map_fields(tmp_path):
    record = {"id": "x1", "text": STORY, "url": "https://example.org/a", "published": "2022-01-05", "title": "T"}
    one = write(tmp_path, "one.json", json.dumps(record))
    many = write(tmp_path, "many.json", json.dumps([record, {"html": PAGE}]))
    docs = read_all(one, many)
    assert docs[0].external_id == "x1" and docs[0].url == "https://example.org/a"
    assert docs[0].published == "2022-01-05" and docs[0].title == "T"
    assert docs[0].content == STORY.encode("utf-8")
    assert [d.kind for d in docs[1:]] == ["text", "html"]
    assert docs[2].source.endswith("many.json[1]")


def test_sources_jsonl_bad_line_fails_alone_and_rest_is_read(tmp_path):
    lines = [json.dumps({"id": "a", "text": STORY}), "{not json", "", json.dumps({"id": "c", "text": STORY + "c"})]
    path = write(tmp_path, "dump.jsonl", "\n".join(lines))
    docs = read_all(path)
    assert [d.external_id for d in docs] == ["a", None, "c"]
    bad = docs[1]
    assert bad.source == f"{path}:2"
    assert error_class(bad) is MalformedError
    assert "malformed JSON line" in bad.error
    assert docs[0].error is None and docs[2].error is None


def test_sources_json_record_without_text_or_html_is_malformed(tmp_path):
    path = write(tmp_path, "r.jsonl", json.dumps({"id": "z", "body": "no text field"}))
    (doc,) = read_all(path)
    assert error_class(doc) is MalformedError
    assert "neither a 'text' nor an 'html'" in doc.error
    assert doc.external_id is None or doc.external_id == "z"


def test_sources_missing_path_is_a_read_error(tmp_path):
    (doc,) = read_all(tmp_path / "nope.txt")
    assert error_class(doc) is ReadError
    assert doc.error.startswith("ReadError: missing path")


def test_sources_unknown_extension_is_a_read_error(tmp_path):
    (doc,) = read_all(write(tmp_path, "story.docx", STORY))
    assert error_class(doc) is ReadError
    assert "unknown extension .docx" in doc.error


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root reads everything")
def test_sources_unreadable_file_is_a_read_error(tmp_path):
    path = write(tmp_path, "locked.txt", STORY)
    path.chmod(0)
    try:
        (doc,) = read_all(path)
    finally:
        path.chmod(0o644)
    assert error_class(doc) is ReadError
    assert "unreadable" in doc.error


def test_sources_file_over_size_limit_is_refused(tmp_path):
    path = write(tmp_path, "big.txt", STORY * 10)
    (doc,) = read_all(path, settings=Settings(max_bytes=100))
    assert error_class(doc) is TooLargeError
    assert "over the 100 bytes limit (LAUNCHWATCH_MAX_BYTES)" in doc.error
    assert doc.content == b""


def test_sources_empty_and_whitespace_files_fail(tmp_path):
    docs = read_all(write(tmp_path, "e.txt", b""), write(tmp_path, "w.txt", " \n\t \n"))
    assert [error_class(d) for d in docs] == [EmptyError, EmptyError]


def test_sources_binary_file_fails(tmp_path):
    (doc,) = read_all(write(tmp_path, "img.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))))
    assert error_class(doc) is BinaryError


def test_sources_invalid_utf8_is_not_a_failure(tmp_path):
    (doc,) = read_all(write(tmp_path, "latin.txt", "Pyongyang said the caf\xe9 test succeeded.".encode("latin-1")))
    assert doc.error is None


def test_sources_stdin_is_sniffed_as_html_or_text(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(PAGE.encode())))
    (doc,) = list(read_sources(["-"]))
    assert doc.source == "<stdin>" and doc.kind == "html" and doc.error is None
    assert sniff_kind(STORY.encode()) == "text"


def test_sources_manifest_resolves_relative_paths_and_keeps_ids(tmp_path):
    write(tmp_path, "set/docs/one.txt", STORY)
    write(tmp_path, "set/docs/two.html", PAGE)
    manifest = write(tmp_path, "set/manifest.jsonl", "\n".join([
        json.dumps({"id": "one", "path": "docs/one.txt", "published": "2021-09-16"}),
        json.dumps({"id": "two", "path": "docs/two.html", "source_url": "https://example.org/two"}),
        json.dumps({"id": "gone", "path": "docs/missing.txt"}),
        "not json",
    ]))
    docs = list(read_sources([], manifest=str(manifest), published="2020-01-01"))
    assert [d.external_id for d in docs[:3]] == ["one", "two", "gone"]
    assert docs[0].published == "2021-09-16"          # the manifest's own date wins
    assert docs[1].published == "2020-01-01"          # --published fills the gap
    assert docs[1].url == "https://example.org/two" and docs[1].kind == "html"
    assert error_class(docs[2]) is ReadError
    assert error_class(docs[3]) is MalformedError and docs[3].source.endswith("manifest.jsonl:4")


def test_sources_published_argument_does_not_override_a_records_own(tmp_path):
    path = write(tmp_path, "d.jsonl", "\n".join([
        json.dumps({"text": STORY, "published": "2019-05-04"}), json.dumps({"text": STORY + "x"})]))
    docs = read_all(path, published="2019-05-10")
    assert [d.published for d in docs] == ["2019-05-04", "2019-05-10"]
