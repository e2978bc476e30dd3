"""Extraction on short texts written for these tests, in phrasings other than the gold sets'."""
import pytest

from launchwatch.extract import extract_events
from launchwatch.extract.dates import find_dates, resolve
from launchwatch.extract.quantities import counts, durations, lengths
from launchwatch.extract.text import sentences
from launchwatch.knowledge import load_knowledge
from launchwatch.records import Article
from datetime import date


def events_of(text, published="2023-03-17"):
    article = Article(doc_id="t", source="test", text=text, published=published)
    return [e for e in extract_events(article, load_knowledge())], article


def test_extract_wire_story_fields_and_evidence():
    text = (
        "Pyongyang launched an intercontinental ballistic missile on Thursday that flew for about 69 minutes, "
        "Japan's Defence Ministry said.\n\n"
        "The missile travelled roughly 1,000 kilometres and reached an altitude of 6,000 km before falling "
        "into the sea west of Hokkaido, according to South Korea's Joint Chiefs of Staff."
    )
    events, article = events_of(text)
    assert len(events) == 1
    ev = events[0].values
    assert (ev["actor"], ev["date"], ev["weapon_class"], ev["count"]) == ("KP", "2023-03-16", "icbm", 1)
    assert ev["distance_km"] == 1000 and ev["apogee_km"] == 6000 and ev["flight_time_s"] == 69 * 60
    assert {"Japan Ministry of Defense", "South Korea JCS"} <= set(ev["reported_by"])
    for field, spans in events[0].evidence.items():
        for span in spans:
            assert article.text[span.start:span.end] == span.text, field


def test_extract_miles_and_back_reference_kept_apart():
    text = (
        "Iran fired two medium-range ballistic missiles from a truck-mounted launcher on Sunday, state television said. "
        "The missiles flew 600 miles and hit their target, it said.\n\n"
        "In March 2021, Iran had tested a cruise missile off its southern coast."
    )
    events, _ = events_of(text, "2022-05-10")
    by_date = {e.values["date"]: e.values for e in events}
    main = by_date["2022-05-08"]
    assert main["actor"] == "IR" and main["weapon_class"] == "mrbm" and main["count"] == 2
    assert main["distance_km"] == pytest.approx(965.4, rel=0.01)
    assert main["platform"] == "road_mobile" and main["outcome"] == "success" and main["is_primary"]
    back = by_date["2021-03"]
    assert back["weapon_class"] == "cruise" and not back["is_primary"]


@pytest.mark.parametrize("text", [
    "Thousands watched as the army paraded its newest intercontinental ballistic missiles through the capital on Sunday.",
    "The company launched a new energy drink called Hypersonic on Tuesday.",
    "North Korea could launch another missile within days, officials warned on Monday.",
    "The striker fired two rockets into the top corner on Saturday to seal the win.",
    "Officials said the interceptors were deployed near the base on Friday.",
])
def test_extract_hard_negatives_yield_nothing(text):
    events, _ = events_of(text)
    assert events == []


def test_extract_failure_stated_by_a_source():
    text = "A Russian Sarmat missile appears to have failed during a test at Plesetsk on Wednesday, analysts said, citing satellite images of a crater."
    events, _ = events_of(text, "2024-09-20")
    assert len(events) == 1
    assert events[0].values["outcome"] == "failure" and events[0].values["actor"] == "RU"
    assert events[0].values["weapon_name"] == "Sarmat"


def test_extract_two_states_same_day_stay_apart():
    text = (
        "North Korea fired a short-range ballistic missile on Tuesday morning, the JCS said. "
        "Hours after the North's launch, South Korea test-fired a Hyunmoo-2 missile from a mobile launcher."
    )
    events, _ = events_of(text, "2023-03-14")
    actors = sorted(e.values["actor"] for e in events)
    assert actors == ["KP", "KR"]
    assert all(e.values["date"] == "2023-03-14" for e in events)


def test_dates_resolve_against_publication_date():
    published = date(2021, 9, 16)  # a Thursday
    found = {d.text: resolve(d, published) for d in find_dates("on Wednesday, in October 2019, over the weekend, on Sept. 2, last month")}
    assert found["on Wednesday"] == "2021-09-15"
    assert found["in October 2019"] == "2019-10"
    assert found["over the weekend"] == "2021-09"
    assert found["on Sept. 2"] == "2021-09-02"
    assert found["last month"] == "2021-08"


def test_dates_unknown_publication_resolves_nothing_relative():
    (weekday,) = find_dates("on Friday")
    assert resolve(weekday, None) is None


def test_quantities_units_and_hedges():
    found = {q.field: q for q in lengths("it flew some 270 nautical miles and reached 550 km in altitude")}
    assert found["distance_km"].value == pytest.approx(500.0, rel=0.01) and found["distance_km"].hedge == "some"
    assert found["apogee_km"].value == 550
    assert lengths("it landed 150 km west of the peninsula") == []
    assert lengths("a missile with a range of 2,000 km") == []
    assert durations("the flight lasted 14 minutes")[0].value == 840
    assert durations("two minutes later, sirens sounded") == []


def test_quantities_counts():
    assert [c.value for c in counts("fired at least three short-range missiles")] == [3]
    assert [c.value for c in counts("a volley of 12 rockets")] == [12]
    assert counts("the Qaem-100 rocket") == []


def test_text_sentences_keep_offsets_and_abbreviations():
    text = "The U.S. military said so. Col. Kim spoke on Sept. 15 in Seoul.\n\nNew paragraph here."
    parts = sentences(text)
    assert [s.text for s in parts] == ["The U.S. military said so.", "Col. Kim spoke on Sept. 15 in Seoul.", "New paragraph here."]
    assert all(text[s.start:s.end] == s.text for s in parts)
    assert parts[2].paragraph == 1


def test_dates_relative_to_another_launch():
    found = {d.text: resolve(d, date(2022, 10, 5), "2022-10-05") for d in find_dates(
        "fired early Wednesday after it launched an IRBM the day before; it came eight days after a failure; "
        "five days later, the North fired again; hours after the launch")}
    assert found["the day before"] == "2022-10-04"
    assert found["eight days after"] == "2022-09-27"
    assert found["five days later"] == "2022-10-10"
    assert found["hours after"] == "2022-10-05"


def test_folding_keeps_offsets_and_escapes():
    from launchwatch.folding import Folded, fold, fold_pattern
    text = "North Korea FIRED an ICBM — İstanbul"
    assert len(fold(text)) == len(text) and fold("ICBM") == "icbm"
    assert fold_pattern(r"\bICBM\S(?P<Big>X)[A-Z]") == r"\bicbm\S(?P<Big>x)[a-z]"
    m = Folded(r"\bfired\s+an\s+ICBM\b").search(text)
    assert text[m.start():m.end()] == "FIRED an ICBM"
