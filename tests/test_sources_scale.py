"""sources at scale: WARC/ARC archives, RSS/Atom feeds and JSONL dumps, streamed record by record."""
from __future__ import annotations

import gzip
import io
import json
from collections import Counter

import pytest
from click.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from launchwatch.cli import cli
from launchwatch.errors import EmptyError, MalformedError, ReadError, TooLargeError
from launchwatch.prefilter import SKIP_REASON
from launchwatch.settings import Settings
from launchwatch.sources import error_class, read_archive
from test_sources import read_all, write

ARTICLE = """<html><head><title>North Korea fires two ballistic missiles into the sea</title></head>
<body><nav>Home | World | Asia</nav><article><h1>North Korea fires two ballistic missiles into the sea</h1>
<p>SEOUL - North Korea fired two short-range ballistic missiles off its east coast on Saturday, South Korea's Joint Chiefs of Staff said.</p>
<p>The missiles flew about 300 km at an apogee of 560 km before landing in the sea, the JCS said in a statement.</p>
<p>It was the ninth launch this year, officials said, as Pyongyang continues to test new weapons despite sanctions.</p>
</article><footer>Copyright 2022</footer></body></html>"""
MARKETS = """<html><head><title>Stocks close higher</title></head><body><article><h1>Stocks close higher</h1>
<p>Stocks closed higher on Wall Street on Tuesday as bond yields eased and investors cheered strong retail earnings.</p>
<p>The benchmark index gained 1.2 percent, its best day in a month, while the dollar slipped against the yen.</p>
</article></body></html>"""
WIRE = "North Korea fired a ballistic missile on Monday, the JCS said. " * 3


def _response(writer, url, body, *, status="200 OK", content_type="text/html; charset=utf-8", headers=()):
    http = StatusAndHeaders(status, [("Content-Type", content_type), *headers], protocol="HTTP/1.1")
    return writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http)


def _request(writer, url):
    http = StatusAndHeaders("GET / HTTP/1.1", [("Host", "news.example")], is_http_request=True)
    return writer.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=http)


def write_warc(path, *, gzip_records=True, extra=()):
    """warcinfo, then: article, its request, a 404, an image, a plain-text page, a gzip-encoded page, metadata."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=gzip_records)
        records = [
            writer.create_warcinfo_record(path.name, {"software": "launchwatch tests"}),
            _response(writer, "https://news.example/kp", ARTICLE.encode()),
            _request(writer, "https://news.example/kp"),
            _response(writer, "https://news.example/gone", b"<html>Not found</html>", status="404 Not Found"),
            _response(writer, "https://news.example/photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", content_type="image/png"),
            _response(writer, "https://news.example/wire.txt", WIRE.encode(), content_type="text/plain"),
            _response(writer, "https://news.example/markets", gzip.compress(MARKETS.encode()),
                      headers=[("Content-Encoding", "gzip")]),
            writer.create_warc_record("https://news.example/kp", "metadata", payload=io.BytesIO(b"outlinks: none"),
                                      warc_content_type="application/warc-fields"),
            *[make(writer) for make in extra],
        ]
        for record in records:
            writer.write_record(record)
    return path


def read_warc(path, settings=None):
    skipped = Counter()
    return list(read_archive(path, settings or Settings(), skipped)), skipped


# --------------------------------------------------------------------------
# WARC
# --------------------------------------------------------------------------

@pytest.mark.parametrize("name, gzip_records", [("crawl.warc.gz", True), ("crawl.warc", False)])
def test_warc_reads_200_html_and_text_responses_and_passes_over_the_rest(tmp_path, name, gzip_records):
    docs, skipped = read_warc(write_warc(tmp_path / name, gzip_records=gzip_records))
    assert [(d.url, d.kind, d.error) for d in docs] == [
        ("https://news.example/kp", "html", None),
        ("https://news.example/wire.txt", "text", None),
        ("https://news.example/markets", "html", None),
    ]
    assert docs[0].content == ARTICLE.encode() and docs[2].content == MARKETS.encode()   # Content-Encoding undone
    assert skipped == Counter({"warcinfo record": 1, "request record": 1, "HTTP status 404": 1,
                               "content type image/png": 1, "metadata record": 1})


def test_warc_record_provenance_id_offset_and_no_crawl_date(tmp_path):
    path = write_warc(tmp_path / "crawl.warc.gz")
    first = read_warc(path)[0][0]
    assert first.external_id.startswith("<urn:uuid:") and first.published is None
    source, offset = first.source.split("#offset=")
    assert source == str(path)
    with open(path, "rb") as stream:
        stream.seek(int(offset))
        record = next(iter(ArchiveIterator(stream)))
        assert record.rec_headers.get_header("WARC-Record-ID") == first.external_id


def test_warc_size_limit_applies_per_record(tmp_path):
    big = lambda writer: _response(writer, "https://news.example/big", b"<p>" + b"missile " * 2000 + b"</p>")
    docs, _ = read_warc(write_warc(tmp_path / "crawl.warc.gz", extra=[big]), Settings(max_bytes=4000))
    assert [error_class(d) for d in docs] == [None, None, None, TooLargeError]
    assert docs[3].url == "https://news.example/big" and "at least" in docs[3].error


def test_warc_empty_200_body_is_passed_over(tmp_path):
    empty = lambda writer: _response(writer, "https://news.example/empty", b"  \n")
    _, skipped = read_warc(write_warc(tmp_path / "crawl.warc.gz", extra=[empty]))
    assert skipped["empty payload"] == 1


def test_warc_truncated_gzip_tail_yields_one_error_and_keeps_what_came_before(tmp_path):
    whole = write_warc(tmp_path / "whole.warc.gz").read_bytes()
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(whole[:-60])   # the metadata record loses its end
    docs, _ = read_warc(path)
    assert [d.error for d in docs[:3]] == [None, None, None]
    (damaged,) = docs[3:]
    assert error_class(damaged) is MalformedError and "damaged archive from offset" in damaged.error
    assert damaged.source.startswith(f"{path}#offset=")


def _record_spans(path):
    with open(path, "rb") as stream:
        records = ArchiveIterator(stream)
        return [(records.get_record_offset(), records.get_record_length()) for _ in records]


# The last bytes of a record carry no data: its closing blank lines, and for gzip
# the end of the deflate stream and the trailer (CRC and size, 8 bytes). A cut
# there loses nothing, so it need not be an error.
RECORD_PADDING = 16


@pytest.mark.parametrize("name, gzip_records", [("crawl.warc.gz", True), ("crawl.warc", False)])
def test_warc_cut_anywhere_keeps_whole_records_and_ends_with_one_error(tmp_path, name, gzip_records):
    whole = write_warc(tmp_path / name, gzip_records=gzip_records)
    data, expected = whole.read_bytes(), [d.content for d in read_warc(whole)[0]]
    spans = _record_spans(whole)
    starts = [start for start, _ in spans[1:]] + [len(data)]
    padding = [range(start + length - RECORD_PADDING, following + 1) for (start, length), following in zip(spans, starts)]
    path = tmp_path / f"cut-{name}"
    for cut in range(1, len(data), 5):
        path.write_bytes(data[:cut])
        docs, _ = read_warc(path)
        read, errors = [d for d in docs if not d.error], [d for d in docs if d.error]
        assert [d.content for d in read] == expected[:len(read)], cut
        assert docs[:len(read)] == read and len(errors) <= 1, cut
        if not any(cut in span for span in padding):
            assert len(errors) == 1 and error_class(errors[0]) is MalformedError, cut


def test_warc_garbage_in_the_middle_fails_the_rest_only(tmp_path):
    whole = write_warc(tmp_path / "whole.warc.gz")
    second = _record_spans(whole)[2][0]   # the request after the article
    path = tmp_path / "bad.warc.gz"
    data = whole.read_bytes()
    path.write_bytes(data[:second] + b"\x00garbage" * 40 + data[second:])
    docs, _ = read_warc(path)
    assert docs[0].error is None and len(docs) == 2
    assert error_class(docs[1]) is MalformedError and docs[1].source == f"{path}#offset={second}"
    assert len(docs[1].error) < 300   # warcio's message quotes the garbage; it is cut short


def test_warc_a_file_that_is_no_archive_is_one_error(tmp_path):
    path = tmp_path / "fake.warc.gz"
    path.write_bytes(gzip.compress(b"just some text, not a WARC record\n"))
    (doc,) = read_all(path)
    assert error_class(doc) is MalformedError and doc.source == f"{path}#offset=0"
    assert "not a WARC record" in doc.error


def _arc(url, content_type, http):
    return f"{url} 10.0.0.1 20220306000000 {content_type} {len(http)}\n".encode() + http + b"\n"


def test_arc_gz_is_read_like_warc(tmp_path):
    header_body = b"1 0 launchwatch\nURL IP-address Archive-date Content-type Archive-length\n"
    header = b"filedesc://t.arc 0.0.0.0 20220306000000 text/plain %d\n" % len(header_body) + header_body + b"\n"
    page = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" + ARTICLE.encode()
    image = b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\n\x89PNG"
    path = tmp_path / "old.arc.gz"
    path.write_bytes(b"".join(gzip.compress(r) for r in (header, _arc("http://news.example/kp", "text/html", page),
                                                          _arc("http://news.example/i.png", "image/png", image))))
    docs, skipped = read_warc(path)
    assert [(d.url, d.kind, d.external_id, d.content) for d in docs] == [
        ("http://news.example/kp", "html", None, ARTICLE.encode())]
    assert skipped == Counter({"arc_header record": 1, "content type image/png": 1})


# --------------------------------------------------------------------------
# Feeds
# --------------------------------------------------------------------------

RSS = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Wire</title><link>https://news.example/</link>
<item><title>North Korea fires ballistic missile</title><link>https://news.example/a</link><guid>wire-a</guid>
  <pubDate>Sat, 05 Mar 2022 23:30:00 -0500</pubDate>
  <description>A teaser only.</description>
  <content:encoded><![CDATA[<p>North Korea fired two short-range ballistic missiles on Saturday, the JCS said.</p>]]></content:encoded></item>
<item><title>Stocks close higher</title><link>https://news.example/b</link>
  <description>&lt;p&gt;Stocks rose on Tuesday as investors cheered retail earnings.&lt;/p&gt;</description></item>
<item><title>A headline and nothing else</title></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Agency</title>
<entry><title>Iran launches satellite</title><id>tag:news.example,2024:1</id>
  <link rel="self" href="https://news.example/1.atom"/><link rel="alternate" href="https://news.example/1"/>
  <updated>2024-01-21T00:00:00Z</updated><published>2024-01-20T09:00:00+03:30</published>
  <content type="html">&lt;p&gt;Iran launched a satellite on Saturday aboard a Simorgh carrier rocket.&lt;/p&gt;</content></entry>
<entry><title>Inline</title><id>2</id><updated>2024-02-01T10:00:00Z</updated>
  <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Rocket <b>test</b></p></div></content></entry>
<entry><title>Plain</title><id>3</id><summary>Plain text summary of the day.</summary></entry>
</feed>"""


def test_rss_items_become_documents_with_title_link_guid_and_date(tmp_path):
    path = write(tmp_path, "wire.rss", RSS)
    first, second, third = read_all(path)
    assert (first.source, first.kind, first.title, first.url, first.external_id) == (
        f"{path}#item=1", "html", "North Korea fires ballistic missile", "https://news.example/a", "wire-a")
    assert first.published == "2022-03-05"       # the feed's own day, not UTC's
    assert first.content.startswith(b"<p>North Korea fired")   # content:encoded beats the teaser
    assert second.content == b"<p>Stocks rose on Tuesday as investors cheered retail earnings.</p>"
    assert second.published is None
    assert error_class(third) is EmptyError and third.title == "A headline and nothing else"


def test_atom_entries_follow_content_type_and_alternate_link(tmp_path):
    html, xhtml, text = read_all(write(tmp_path, "agency.atom", ATOM))
    assert (html.kind, html.url, html.external_id, html.published) == (
        "html", "https://news.example/1", "tag:news.example,2024:1", "2024-01-20")   # published beats updated
    assert html.content == b"<p>Iran launched a satellite on Saturday aboard a Simorgh carrier rocket.</p>"
    assert xhtml.kind == "html" and b"<b>test</b>" in xhtml.content and xhtml.published == "2024-02-01"
    assert (text.kind, text.content, text.published) == ("text", b"Plain text summary of the day.", None)


def test_xml_is_read_only_when_it_is_a_feed(tmp_path):
    feed = write(tmp_path, "feeds/wire.xml", RSS)
    sitemap = write(tmp_path, "feeds/sitemap.xml", '<?xml version="1.0"?><urlset><url><loc>x</loc></url></urlset>')
    assert [d.source for d in read_all(tmp_path / "feeds")] == [f"{feed}#item={n}" for n in (1, 2, 3)]
    (named,) = read_all(sitemap)
    assert error_class(named) is ReadError and "not a feed" in named.error


def test_malformed_feed_keeps_items_before_the_break(tmp_path):
    cut = RSS[:RSS.index("<item><title>Stocks")] + "<item><title>Broken</titl"
    docs = read_all(write(tmp_path, "cut.rss", cut))
    assert docs[0].error is None
    assert error_class(docs[1]) is MalformedError and docs[1].source.endswith("cut.rss#item=2")


def test_feed_item_size_limit_applies_per_item(tmp_path):
    docs = read_all(write(tmp_path, "wire.rss", RSS), settings=Settings(max_bytes=70))
    assert [error_class(d) for d in docs] == [TooLargeError, None, EmptyError]


# --------------------------------------------------------------------------
# Folders and JSONL dumps
# --------------------------------------------------------------------------

def test_folder_picks_up_archives_and_feeds(tmp_path):
    write_warc(tmp_path / "in" / "a" / "crawl.warc.gz")
    write(tmp_path, "in/b/wire.rss", RSS)
    write(tmp_path, "in/b/notes.md", "# not an input")
    write(tmp_path, "in/c.atom", ATOM)
    sources = [d.source.split("#")[0].rsplit("/", 2)[-2:] for d in read_all(tmp_path / "in")]
    assert [tuple(s) for s in sources] == [("a", "crawl.warc.gz")] * 3 + [("b", "wire.rss")] * 3 + [("in", "c.atom")] * 3


def test_jsonl_dump_streams_past_the_file_size_limit_and_fails_only_an_oversized_line(tmp_path):
    lines = [json.dumps({"id": f"r{n}", "text": WIRE}) for n in range(20)]
    lines[5] = json.dumps({"id": "huge", "text": "missile " * 200})
    path = write(tmp_path, "dump.jsonl", "\n".join(lines) + "\n")
    limit = 1000
    assert path.stat().st_size > limit
    docs = read_all(path, settings=Settings(max_bytes=limit))
    assert len(docs) == 20
    assert [d.source for d in docs if d.error] == [f"{path}:6"]
    assert error_class(docs[5]) is TooLargeError
    assert [d.external_id for d in docs[4:7:2]] == ["r4", "r6"]


def test_jsonl_line_separator_inside_a_string_is_no_line_break(tmp_path):
    path = write(tmp_path, "dump.jsonl", json.dumps({"text": WIRE + "\u2028end"}, ensure_ascii=False) + "\n")
    (doc,) = read_all(path)
    assert doc.error is None and doc.content.endswith("\u2028end".encode())


# --------------------------------------------------------------------------
# End to end through the CLI
# --------------------------------------------------------------------------

def test_cli_extract_reads_a_warc_end_to_end(tmp_path, monkeypatch):
    monkeypatch.delenv("LAUNCHWATCH_PREFILTER", raising=False)
    path = write_warc(tmp_path / "crawl.warc.gz")
    done = CliRunner().invoke(cli, ["extract", str(path)])
    assert done.exit_code == 0, done.output
    kp, wire, markets = [json.loads(line) for line in done.stdout.splitlines()]
    assert kp["id"].startswith("<urn:uuid:") and kp["title"] == "North Korea fires two ballistic missiles into the sea"
    assert [(e["actor"], e["weapon_class"], e["count"]) for e in kp["events"]] == [("KP", "srbm", 2)]
    assert wire["events"] and wire["events"][0]["actor"] == "KP"
    assert markets["events"] == [] and markets["skipped"] == SKIP_REASON


def test_cli_ingest_a_warc_counts_the_skipped_page(tmp_path, monkeypatch):
    monkeypatch.delenv("LAUNCHWATCH_PREFILTER", raising=False)
    path = write_warc(tmp_path / "crawl.warc.gz")
    done = CliRunner().invoke(cli, ["--db", str(tmp_path / "lw.db"), "ingest", str(path)])
    assert done.exit_code == 0, done.output
    assert done.stdout.strip().endswith("read 3, added 2, duplicates skipped 0, failed 0, events found 2, "
                                        "skipped by prefilter 1")
