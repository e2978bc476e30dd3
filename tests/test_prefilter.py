"""prefilter: loses no gold document with events, rules out unrelated news, and the pipeline skips cleanly."""
from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from click.testing import CliRunner

from launchwatch import evaluation as ev
from launchwatch.cli import cli
from launchwatch.extract import lexicon
from launchwatch.ingest import ingest, result_object
from launchwatch.knowledge import load_knowledge
from launchwatch.pipeline import process
from launchwatch import prefilter
from launchwatch.boilerplate import INVISIBLE
from launchwatch.prefilter import SKIP_REASON, could_report_launch
from launchwatch.records import RawDocument
from launchwatch.settings import Settings
from launchwatch.store import Store

ROOT = Path(__file__).resolve().parents[1]


def _gold_sets() -> list[ev.GoldSet]:
    try:
        eval_dir = ev.find_eval_dir(ROOT)
    except ev.EvaluationError:
        eval_dir = None
    shared = ev.discover_sets(eval_dir) if eval_dir else []
    return shared + ev.discover_sets(ROOT / "tests" / "data")


def _documents_with_events(gold_set: ev.GoldSet) -> list[Path]:
    paths = []
    for line in gold_set.manifest.read_text(encoding="utf-8").splitlines():
        if line.strip():
            entry = json.loads(line)
            gold = json.loads((gold_set.gold / f"{entry['id']}.json").read_text(encoding="utf-8"))
            if gold["events"]:
                paths.append(gold_set.folder / entry["path"])
    return paths


# Both engines, each test run on each: hyperscan (a dependency on x86-64 and
# ARM64) and the pure-Python fallback.
ENGINES = [pytest.param(name, marks=pytest.mark.skipif(name not in prefilter.ENGINES,
                                                      reason=f"{name} cannot run here"))
           for name in ("hyperscan", "python")]


@pytest.fixture(params=ENGINES)
def check(request):
    return prefilter.ENGINES[request.param]


def test_prefilter_uses_hyperscan_where_it_runs():
    pytest.importorskip("hyperscan")
    assert prefilter.ENGINE == "hyperscan" and prefilter.ENGINES["hyperscan"] is prefilter._CHOSEN
    assert could_report_launch(b"<p>an ICBM</p>") and not could_report_launch(b"<p>IBM</p>")


@pytest.mark.parametrize("gold_set", _gold_sets(), ids=lambda s: s.name)
def test_prefilter_passes_every_gold_document_with_events(gold_set, check):
    documents = _documents_with_events(gold_set)
    assert documents, f"{gold_set.name} has no document with events"
    lost = [path.name for path in documents if not check(path.read_bytes())]
    assert not lost, f"prefilter would skip gold documents with events: {lost}"


@pytest.mark.parametrize("gold_set", _gold_sets(), ids=lambda s: s.name)
def test_prefilter_reads_every_gold_page_with_events_outside_its_links(gold_set):
    documents = [p for p in _documents_with_events(gold_set) if p.suffix in (".html", ".htm")]
    lost = [p.name for p in documents
            if not prefilter.worth_reading(RawDocument(source=str(p), content=p.read_bytes(), kind="html"))]
    assert not lost, f"prefilter would skip gold pages with events: {lost}"


def test_prefilter_link_check_engines_agree_on_every_gold_page():
    pytest.importorskip("hyperscan")
    pages = [p for gs in _gold_sets() for p in (gs.folder / "docs").glob("*.htm*")]
    assert pages
    for page in pages:
        content = page.read_bytes()
        fast = prefilter._scan_outside_links(content)
        if fast is not None:
            assert fast == prefilter.could_report_launch_python(prefilter.outside_links(content)), page.name


def test_prefilter_skips_a_page_whose_only_missile_is_in_its_links():
    page = (b"<html><body><nav><a href='/defence'>Missile defence</a></nav><article><p>The council "
            b"approved the new budget.</p></article><ol><li><a href='/nk-fires-ballistic-missile'>North "
            b"Korea fires ballistic missile</a></li></ol></body></html>")
    assert prefilter.could_report_launch(page)
    assert not prefilter.worth_reading(RawDocument(source="x.html", content=page, kind="html"))
    text = RawDocument(source="x.txt", content=page, kind="text")
    assert prefilter.worth_reading(text)  # plain text has no links to discount
    told = page.replace(b"approved the new budget.", b"said the missile flew 600 km.")
    assert prefilter.worth_reading(RawDocument(source="x.html", content=told, kind="html"))


# Unrelated news in several voices; none names a weapon.
NEGATIVES = {
    "cricket": "Root's unbeaten 142 steered England to a seven-wicket win at Headingley as the seamers bowled Australia out for 217.",
    "football": "Arsenal came from behind to beat Villa 2-1, with a late header from a corner sealing three points at the Emirates.",
    "markets": "Stocks closed higher on Wall Street on Tuesday as bond yields eased and investors cheered strong retail earnings.",
    "weather": "A cold front will bring heavy rain and gusts of up to 90 km/h to the coast on Thursday, the met office said.",
    "election": "The opposition leader conceded defeat late on Sunday after the ruling party won a third term in parliament.",
    "product launch": "The company launched its new smartphone with a fireworks show in Cupertino, and pre-orders open on Friday.",
    "fireworks": "Thousands watched fireworks light up the harbour at midnight as the city launched its new year celebrations.",
    "ceo fired": "The board fired the chief executive on Monday after an audit found irregularities in the firm's accounts.",
    "recipe": "Whisk the eggs with sugar until pale, fold in the flour and bake for 25 minutes at 180 degrees.",
    "courts": "The Supreme Court struck down the law on Friday, ruling that it violated the right to free assembly.",
    "health": "The trial of the new vaccine was a success, researchers said, with few side effects reported in 3,000 volunteers.",
    "travel": "Flights were cancelled across the region after a strike by air traffic controllers entered its second day.",
    "housing": "House prices fell for the fourth month in a row in March, the steepest drop since the 2008 financial crisis.",
}


@pytest.mark.parametrize("name", NEGATIVES)
def test_prefilter_rules_out_unrelated_news(name, check):
    page = f"<html><head><title>{name}</title></head><body><nav>Home | World | Sport</nav><p>{NEGATIVES[name]}</p></body></html>"
    assert not check(NEGATIVES[name].encode())
    assert not check(page.encode())


@pytest.mark.parametrize("text", [
    "N. Korea fires unidentified projectile - Yonhap",
    "NORTH KOREA FIRES BALLISTIC MISSILE",
    "Russia says it test-fired a Hypersonic Zircon",
    "Pyongyang launched an Icbm on Friday",
    "Iran put its Nahid-4 into orbit aboard a Simorgh",
    "the space\nlaunch vehicle lifted off",
    "a missile defence budget debate",   # a false positive, which is fine
])
def test_prefilter_lets_launch_vocabulary_through_in_any_case(text, check):
    assert check(text.encode())


STEM_WORDS = ["missile", "projectile", "satellite", "rocket", "rodong", "weapon", "warhead", "ballistic", "orbit",
              "ICBM", "SLBM", "SRBM", "IRBM", "MRBM", "hypersonic", "space launch", "scud"]


def test_prefilter_engines_list_the_same_stems():
    assert sorted(w.replace(".{0,8}", " ") for w in prefilter.STEM_WORDS) == sorted(w.lower() for w in STEM_WORDS)


@pytest.mark.parametrize("word", STEM_WORDS)
def test_prefilter_finds_each_stem_in_any_case(word, check):
    for variant in (word.lower(), word.title(), word.upper(), word[:-1].lower() + word[-1].upper()):
        assert check(f"<p>the {variant}s of the day</p>".encode()), variant
    assert not check(f"<p>the {word[:-1]}-{word[-1]} of the day</p>".encode())


def test_prefilter_covers_every_weapon_word_of_the_extractor(check):
    words = [word.replace("s?", "") for word in lexicon.WEAPON_WORDS.split("|")]
    assert [word for word in words if not check(word.encode())] == []


# One phrase per class pattern of extract/lexicon.py, checked to be a class mention there.
CLASS_EXAMPLES = [
    "SLBM", "submarine-launched ballistic missile", "ICBM", "intercontinental-range missile", "IRBM",
    "intermediate-range missile", "MRBM", "medium-range Rodong", "SRBM", "short-range Scud",
    "close-range ballistic missile", "cruise missile", "hypersonic", "space launch vehicle",
    "satellite launcher", "carrier rocket", "spy satellite", "space rocket", "put a satellite",
    "satellites into orbit", "orbital launch", "multiple-rocket launcher", "240mm rockets",
    "barrage of rockets", "ballistic",
]


def test_prefilter_covers_every_class_phrase_of_the_extractor(check):
    classes = lexicon.build(load_knowledge(())).classes
    assert [phrase for phrase in CLASS_EXAMPLES if not classes.search(phrase)] == []
    assert [phrase for phrase in CLASS_EXAMPLES if not check(phrase.encode())] == []


JOINED = [
    "mis\u00adsile".encode(),                 # soft hyphen, deleted by the cleaner
    "ICBM\u200b".encode(),
    "bal\u200bli\u200bstic".encode(),         # zero-width spaces
    "<p>The HYPER\u00ad\u200bSONIC glide</p>".encode(),   # a run of them
    b"mis&shy;sile", b"ro&#173;cket", b"pro<wbr>jectile", b"war<wbr/>head", b"Sat&SHY;<WBR>ellite",
    "missile".encode("utf-16"),               # UTF-16 with its BOM
    "\ufeff<p>ICBM</p>".encode("utf-16-be"),
    "MISSILE".encode("latin-1"),
    "Mis\u00adsile".encode("cp1252"),          # a soft hyphen in Latin-1 / cp1252
    "\ufeffa space\u200blaunch".encode(),
]


@pytest.mark.parametrize("data", JOINED)
def test_prefilter_sees_words_the_cleaner_would_join(data, check):
    assert check(data)


@pytest.mark.parametrize("char", "".join(map(chr, INVISIBLE)))
def test_prefilter_joins_across_every_character_the_cleaner_deletes(char, check):
    assert check(f"<p>the war{char}head</p>".encode())
    assert check(f"<p>the war{char}{char}head</p>".encode())


# Breaks that join no stem: not between two letters, or no stem either way.
NOT_JOINED = [
    "mis\u00ad sile".encode(), "mis \u200bsile".encode(), b"mis&shy; sile", b"mis-<wbr>sile",
    "\u00e9\u00adsile".encode(), b"mis\xc3\xadsile",   # 0xAD inside a UTF-8 character
    "mis\u2019sile".encode(), "mis\u00a0sile".encode(), b"mis&nbsp;sile", b"mis<b>sile",
    "a space \u200b\u200b\u200blaunch".encode(),         # 10 bytes apart, and no letter before them
    "missile".encode("utf-16-le"),                         # UTF-16 with no BOM is no text (BinaryError)
]


@pytest.mark.parametrize("data", NOT_JOINED)
def test_prefilter_joins_only_letters_the_cleaner_would_join(data, check):
    assert not check(data)


def test_prefilter_ignores_look_alikes(check):
    assert not check(b"<form><input type=submit></form> IBM shares; a sub-menu")


def test_prefilter_engines_agree_on_every_gold_document_and_example():
    if len(prefilter.ENGINES) < 2:
        pytest.skip("hyperscan cannot run here")
    fast, python = prefilter.ENGINES["hyperscan"], prefilter.ENGINES["python"]
    documents = [p.read_bytes() for s in _gold_sets() for p in sorted(s.folder.rglob("*")) if p.is_file()]
    examples = JOINED + NOT_JOINED + [n.encode() for n in NEGATIVES.values()]
    assert [fast(d) for d in documents + examples] == [python(d) for d in documents + examples]
    assert sum(map(fast, documents)) > 100 and not all(map(fast, documents))


def test_prefilter_hyperscan_engine_runs_in_threads():
    if "hyperscan" not in prefilter.ENGINES:
        pytest.skip("hyperscan cannot run here")
    fast = prefilter.ENGINES["hyperscan"]
    pages = [(NEGATIVES["markets"] * 2000).encode(), (NEGATIVES["cricket"] * 2000 + STORY).encode()] * 50
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(fast, pages)) == [False, True] * 50


# --------------------------------------------------------------------------
# In the pipeline
# --------------------------------------------------------------------------

def test_process_skips_a_document_with_no_launch_vocabulary():
    raw = RawDocument(source="markets.txt", content=NEGATIVES["markets"].encode(), published="2024-03-05T10:00:00Z")
    result = process(raw, Settings())
    assert (result.skipped, result.article, result.events, result.error) == (SKIP_REASON, None, [], None)
    assert result.ok
    assert result_object(result) == {"id": raw.doc_id, "published": "2024-03-05", "events": [], "skipped": SKIP_REASON}


def test_process_reads_a_document_whose_given_title_names_a_launch():
    raw = RawDocument(source="feed.xml#item=1", content=NEGATIVES["markets"].encode(), kind="html",
                      title="North Korea fires ballistic missile")
    assert process(raw, Settings()).skipped is None


def test_process_without_prefilter_reads_the_document():
    raw = RawDocument(source="markets.txt", content=NEGATIVES["markets"].encode())
    result = process(raw, Settings(prefilter=False))
    assert result.skipped is None and result.article is not None


def test_process_keeps_read_errors_before_the_prefilter():
    raw = RawDocument(source="gone.txt", error="ReadError: missing path")
    result = process(raw, Settings())
    assert result.error == "ReadError: missing path" and result.skipped is None


@pytest.mark.parametrize("value, expected", [(None, True), ("1", True), ("0", False), ("off", False), ("false", False)])
def test_settings_prefilter_from_environment(value, expected):
    env = {} if value is None else {"LAUNCHWATCH_PREFILTER": value}
    assert Settings.from_env(env).prefilter is expected


STORY = "North Korea fired two ballistic missiles on Monday, South Korea's Joint Chiefs of Staff said.\n"


def test_ingest_counts_skipped_documents_and_records_them_without_text(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.txt").write_text("Missiles fired\n\n" + STORY * 3)
    (tmp_path / "docs" / "b.txt").write_text(NEGATIVES["cricket"] + "\n")
    with Store(str(tmp_path / "lw.db")) as store:
        summary = ingest([str(tmp_path / "docs")], store=store, settings=Settings())
        [skipped] = store.documents(status="skipped")
        assert skipped["source"].endswith("b.txt") and skipped["error"] == SKIP_REASON
        assert store.document_text(skipped["id"]) is None and store.counts()["ok"] == 1
        again = ingest([str(tmp_path / "docs")], store=store, settings=Settings())
    assert (summary.read, summary.added, summary.skipped, summary.exit_code) == (2, 1, 1, 0)
    assert summary.line().endswith(", skipped by prefilter 1")
    assert (again.added, again.duplicates, again.skipped) == (0, 2, 0)


def test_cli_extract_prints_a_skipped_document(tmp_path, monkeypatch):
    monkeypatch.delenv("LAUNCHWATCH_PREFILTER", raising=False)
    doc = tmp_path / "cricket.txt"
    doc.write_text(NEGATIVES["cricket"] + "\n")
    done = CliRunner().invoke(cli, ["extract", str(doc), "--published", "2024-06-01"])
    assert done.exit_code == 0, done.output
    printed = json.loads(done.stdout)
    assert printed["events"] == [] and printed["skipped"] == SKIP_REASON and printed["published"] == "2024-06-01"
    off = CliRunner().invoke(cli, ["extract", str(doc)], env={"LAUNCHWATCH_PREFILTER": "0"})
    assert "skipped" not in json.loads(off.stdout)
