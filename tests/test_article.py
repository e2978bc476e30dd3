"""article.make_article: decoding, HTML extraction, dates, credits, failures."""
from __future__ import annotations

from pathlib import Path

import pytest

from launchwatch.article import make_article
from launchwatch.dates_meta import byline_date, dateline_month_day, given_date
from launchwatch.errors import BinaryError, EmptyError, NoArticleError
from launchwatch.records import RawDocument
from launchwatch.settings import Settings

SETTINGS = Settings()
SHARED = Path(__file__).resolve().parents[2] / "shared" / "eval"
DATA = Path(__file__).parent / "data"
LEDE = ("North Korea fired two short-range ballistic missiles into the East Sea on Monday, "
        "South Korea's Joint Chiefs of Staff said.")
MORE = "The missiles flew about 400 km at an altitude of 60 km, the JCS said."


def article(content: str | bytes, kind: str = "text", **fields):
    data = content.encode("utf-8") if isinstance(content, str) else content
    return make_article(RawDocument(source="test", content=data, kind=kind, **fields), SETTINGS)


def shared_doc(relative: str) -> bytes:
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"shared eval data not available: {path}")
    return path.read_bytes()


# -- decoding and failures ---------------------------------------------------

def test_article_invalid_utf8_is_replaced_with_a_warning():
    result = article(f"{LEDE}\n\n{MORE} Caf\xe9 \xff\xfe".encode("latin-1"))
    assert "invalid UTF-8: 3 bytes replaced" in result.warnings
    assert "\ufffd" in result.text and LEDE in result.text


def test_article_utf8_bom_is_stripped():
    result = article(b"\xef\xbb\xbf" + f"{LEDE}\n\n{MORE}".encode())
    assert result.text.startswith("North Korea fired")
    assert not any(w.startswith("invalid UTF-8") for w in result.warnings)


def test_article_empty_document_raises_empty_error():
    with pytest.raises(EmptyError, match="empty"):
        article("  \n\t\n")


def test_article_binary_document_raises_binary_error():
    with pytest.raises(BinaryError):
        article(b"GIF89a\x00\x01\x02\x03" * 20)


def test_article_html_without_article_raises_no_article_error():
    page = ("<html><body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
            "<div class='cookie'>We use cookies. Accept all</div>"
            "<footer>© 2024 Example News. All rights reserved.</footer></body></html>")
    with pytest.raises(NoArticleError, match="no article"):
        article(page, kind="html")


def test_article_text_of_only_furniture_raises_no_article_error():
    with pytest.raises(NoArticleError):
        article("Share | Tweet | Email\n\nSubscribe to our newsletter\n\n© 2024 Example")


def test_article_doc_id_is_the_content_hash():
    first, second = article(LEDE), article(LEDE)
    assert first.doc_id == second.doc_id and len(first.doc_id) == 64


# -- HTML --------------------------------------------------------------------

def test_article_html_sample_keeps_story_and_drops_furniture():
    result = make_article(RawDocument(source="a.html", content=(DATA / "page.html").read_bytes(), kind="html"),
                          SETTINGS)
    assert result.title == "North Korea fires two missiles toward East Sea"
    assert result.text.startswith("North Korea fires two missiles toward East Sea\n\n")
    assert "Launch is the third this month" in result.text                     # standfirst restored
    assert "flew about 400 km at an altitude of 60 km" in result.text
    assert result.publisher == "Eastern Courier"
    assert (result.published, result.published_from) == ("2023-03-14", "meta")
    assert result.captions == ["A TV screen in Seoul shows file footage of a launch. (Photo: Lee M.)"]
    for junk in ("cookies", "Related stories", "Leave a comment", "newsletter", "All rights reserved", "Share on"):
        assert junk not in result.text


def test_article_real_page_dev005_keeps_standfirst_and_drops_related():
    result = article(shared_doc("dev/docs/dev-005.html"), kind="html")
    assert "Pyongyang makes rare admission" in result.text
    assert "about 165 km (100 miles) west of Seoul" in result.text
    assert result.published == "2012-04-13" and result.published_from == "meta"
    for junk in ("Golf: Watson wins", "Comments are closed", "Accept all", "Asia Briefing", "Terms of use"):
        assert junk not in result.text


def test_article_real_page_dev023_drops_wordpress_comment_form():
    result = article(shared_doc("dev/docs/dev-023.html"), kind="html")
    assert "Hwasong-18" in result.text and "4,415 seconds" in result.text
    for junk in ("Leave a Reply", "Required fields", "Recent Posts", "Get the Weekly Report"):
        assert junk not in result.text


# -- text --------------------------------------------------------------------

def test_article_seed_keeps_story_and_moves_boilerplate_out():
    result = article(shared_doc("seed/docs/seed-article.txt"))
    assert "Hours after the latest North Korean launches" in result.text
    for junk in ("Leave a Reply", "You May Also Like", "Giuliani", "Scource From"):
        assert junk not in result.text
    assert any("This photo provided by" in caption for caption in result.captions)
    assert "This photo provided by" not in result.text
    assert result.original_publisher == "CBC News"
    assert result.published is None and "publication date unknown" in result.warnings


def test_article_text_headline_is_first_paragraph_and_title():
    result = article(f"Seoul says North fired two missiles\n\nBy Jane Roe\n\n{LEDE}\n\n{MORE}")
    assert result.title == "Seoul says North fired two missiles"
    assert result.text.split("\n\n") == ["Seoul says North fired two missiles", LEDE, MORE]


def test_article_json_record_title_is_prepended():
    result = article(f"{LEDE}\n\n{MORE}", title="Two missiles fired")
    assert result.text.startswith("Two missiles fired\n\n")


# -- publication date ---------------------------------------------------------

def test_article_given_date_wins_and_keeps_local_date_part():
    result = article(f"Headline here\n\nPublished 3 Jan 2020\n\n{LEDE}", published="2022-01-05T23:30:00+09:00")
    assert (result.published, result.published_from) == ("2022-01-05", "given")


def test_article_byline_date_used_when_nothing_given():
    result = article(f"Headline here\n\nUpdated 29 Nov 2017, 6:12 PM\n\n{LEDE}")
    assert (result.published, result.published_from) == ("2017-11-29", "byline")


def test_article_date_in_a_body_sentence_is_not_the_publication_date():
    body = "On March 24, 2022, North Korea fired its largest intercontinental ballistic missile yet, the JCS said."
    result = article(f"Headline here\n\n{body}\n\n{MORE}")
    assert result.published is None
    assert "publication date unknown" in result.warnings


def test_article_dateline_without_year_does_not_set_the_date():
    result = article(f"SEOUL, March 24 (APW) - {LEDE}\n\n{MORE}")
    assert result.published is None
    assert "dateline without year: March 24" in result.warnings
    assert result.original_publisher == "APW"


@pytest.mark.parametrize("line, expected", [
    ("29 Nov 2017, 6:12 PM", "2017-11-29"),
    ("Input 2022.11.02 (Wed) 19:48", "2022-11-02"),
    ("BRIEFLY | 28.05.2024", "2024-05-28"),
    ("worldnewsfeed24 | 31/10/2024 | Asia", "2024-10-31"),
    ("Posted : 2022-10-05 17:02", "2022-10-05"),
    ("Friday 26 July 2019", "2019-07-26"),
    ("Saturday, 27 January 2024", "2024-01-27"),
    ("Published: Mon, Jan 30 2017 | 5:41 PM EST", "2017-01-30"),
    ("July 5, 2017 at 3:20 pm", "2017-07-05"),
    ("05/04/2021", "2021-04-05"),            # ambiguous numeric: day first
    ("12/25/2021", "2021-12-25"),            # month first only when the day cannot be first
    ("Updated: 11:20pm, 25 Sep 2024", "2024-09-25"),
])
def test_article_byline_date_formats(line, expected):
    assert byline_date(["Some headline", line]) == expected


def test_article_byline_prefers_published_over_updated():
    assert byline_date(["Updated : 2022-10-06 09:00", "Posted : 2022-10-05 17:02"]) == "2022-10-05"
    assert byline_date(["Posted : 2022-10-05 17:02   Updated : 2022-10-06 21:30"]) == "2022-10-05"


def test_article_byline_only_searched_in_the_head():
    head = ["Headline"] + [f"Line {n} of the page head" for n in range(12)] + ["Posted 5 May 2021"]
    assert byline_date(head) is None


def test_article_given_date_formats():
    assert given_date("2012-04-13T10:05:00+09:00") == "2012-04-13"
    assert given_date("2021-09-16") == "2021-09-16"
    assert given_date("Thu, 16 Sep 2021 23:10:00 +0900") == "2021-09-16"
    assert given_date("not a date") is None


def test_article_dateline_month_day():
    assert dateline_month_day("VANDENBERG SPACE FORCE BASE, Calif., Nov. 2 (WestWire) - The Air Force") == "November 2"
    assert dateline_month_day("SEOUL, March 24, 2022 - North Korea") is None
