"""Before any parsing, a cheap test on the raw bytes: could this document report a launch?

The extractor reports a launch only in a sentence that names the weapon: a
weapon word ("missile", "rocket", "projectile") or a class phrase ("ICBM",
"ballistic", "satellite launch"), see extract/lexicon.py. Every one of them
holds one of the STEMS below (tests/test_prefilter.py checks), so a document
whose bytes hold no stem is skipped before its HTML is parsed. Bytes are
searched as they are read, in any letter case, markup included: a stem in a
script or a menu lets a page through, which costs time, never an event.
Skipping scripts would not be cheap: finding where they end reads them
anyway, and a stray "<script" in a comment would hide the story.

A word broken by an invisible character or by word-break markup between two
letters ("mis&shy;sile", "pro<wbr>jectile", "bal\\u200blistic") counts as
whole, as it does once the cleaner has removed them. A UTF-16 page (told
by its BOM, as the decoder tells it) is read as text.

Two engines give the same answer on every input:

- hyperscan (Intel Hyperscan / Vectorscan, a dependency on x86-64 and ARM64):
  one SIMD pass over the raw bytes for all stems, case-insensitive, stopping
  at the first stem. A page with a word break between letters, and a UTF-16
  page, is handed to the Python engine. About 20 times faster.
- python: `re` and bytes methods only, used when hyperscan cannot be
  imported or cannot compile here.

`could_report_launch` is the faster engine found at import; ENGINE names it
and ENGINES holds both (the tests run each of them).

An HTML page must also hold a stem outside its links (`worth_reading`): a
"missile" only in a most-read list or a menu tells of other pages.

Not covered: a report that names the weapon only by its system name
("launched a Hwasong-18") or not at all ("the launch on Tuesday") in every
sentence, headline and meta tag. No gold document does.
"""
from __future__ import annotations

import codecs
import re
import threading
from collections.abc import Callable

from launchwatch.boilerplate import INVISIBLE
from launchwatch.records import RawDocument

SKIP_REASON = "prefilter: no launch vocabulary"

# The stems, as the hyperscan engine looks for them, each in any letter case.
STEM_WORDS = (
    "missile", "projectile", "satellite", "rocket", "rodong", "weapon", "warhead", "ballistic",
    "orbit",                                                      # "orbital launch", "into orbit"
    "icbm", "slbm", "srbm", "irbm", "mrbm", "hypersonic", "scud",  # "short-range Scuds"
    "space.{0,8}launch",                                          # across "&nbsp;" or a line break
)

# The same stems for the Python engine, on lower-cased bytes. Each pattern
# starts with a literal, which `re` finds about as fast as bytes.find (2-3
# GB/s), and the page is read once per pattern, so stems that share a literal
# share a pattern; the lookbehinds run only where the literal is. Measured on
# 160 KB pages with no stem (benchmarks/prefilter_speed.py --compare): one
# alternation of all stems is 1.7x slower (it is tried at every byte that can
# start one), three case variants with bytes.find 5.7x, IGNORECASE 14x.
STEMS = (
    rb"ile(?:(?<=missile)|(?<=projectile))",
    rb"satellite",
    rb"ro(?:cket|dong)",                                          # "medium-range Rodongs"
    rb"w(?:eapon|arhead)",
    rb"b(?:allistic|it(?<=orbit)|m(?<=icbm|slbm|srbm|irbm|mrbm))",
    rb"hypersonic",
    rb"space.{0,8}launch",
    rb"scud",
)
_PATTERNS = tuple(re.compile(stem, re.DOTALL) for stem in STEMS)

# Word breaks: the invisible characters the cleaner deletes (soft hyphen,
# zero-width space and joiners, word joiner, BOM) in UTF-8, a soft hyphen in
# Latin-1 or cp1252 (a lone byte 0xAD after ASCII; in UTF-8 it only ever
# follows a byte of 0x80 or more), and the markup that breaks a word for the
# bytes but not for the cleaned text. A run of them between two letters is
# removed, so "mis\u00adsile" holds "missile".
_INVISIBLE_UTF8 = rb"\xc2\xad|\xe2\x80[\x8b-\x8d]|\xe2\x81\xa0|\xef\xbb\xbf"
_BREAK_MARKUP = rb"<wbr\s*/?>|&(?:shy|zwn?j|#173|#xad|#820[345]|#x200[bcd]);"
_JOINS = re.compile(rb"(?<=[a-z])(?:" + _BREAK_MARKUP + b"|" + _INVISIBLE_UTF8 + rb"|(?<=[\x00-\x7f])\xad)+(?=[a-z])")

# ASCII upper -> lower, and every byte of the word breaks' UTF-8 (and 0xAD):
# deleting them all joins at least every word that a break splits, so a page
# with no stem once they are gone has none after the exact joining either.
_FOLD = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz")
_INVISIBLE_BYTES = bytes(sorted(set("".join(map(chr, INVISIBLE)).encode("utf-8")) | {0xAD}))
# Markup breaks, looked for with a literal first (fast).
_SOFT_ENTITY = re.compile(rb"&(?=shy;|zwn?j;|#173;|#xad;|#820[345];|#x200[bcd];)")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def worth_reading(raw: RawDocument) -> bool:
    """The bytes, or the title given with them (it becomes the headline), could report a launch.

    An HTML page must also name a weapon outside its links: a page whose only
    "missile" is in a most-read list or a menu is not a launch report.
    """
    if raw.title and could_report_launch(raw.title.encode()):
        return True
    if raw.kind != "html":
        return could_report_launch(raw.content)
    return stem_outside_links(raw.content)


# Link text and link markup: menus, most-read lists, related-story teasers.
# Scripts stay: some pages carry their story only in JSON (articleBody).
_LINKS = re.compile(rb"<a\b[^>]*>.*?</a\s*>", re.IGNORECASE | re.DOTALL)


def outside_links(content: bytes) -> bytes:
    """The page without its links (1-3 ms on a 160 KB page)."""
    if content.startswith(_UTF16_BOMS):
        content = content.decode("utf-16", errors="replace").encode("utf-8")
    return _LINKS.sub(b" ", content)


def stem_outside_links(content: bytes) -> bool:
    """Does a stem stand outside link text? Where hyperscan runs, the stems' positions come
    from one more pass and each is checked by looking back for an open <a>; else (or when
    word breaks may hide a stem) the links are cut out and the page read again."""
    verdict = _scan_outside_links(content)   # one pass finds a stem and where it stands
    if verdict is None:
        return could_report_launch(content) and could_report_launch(outside_links(content))
    return verdict


_OPEN_LINK = (b"<a ", b"<a>", b"<a\n", b"<a\t", b"<a\r")
# How far back an open <a> is looked for: link text and its tag fit in a few hundred
# bytes; looking back over the whole page for each match would cost far more.
LINK_REACH = 2048


def _inside_link(content: bytes, pos: int) -> bool:
    window = content[max(0, pos - LINK_REACH):pos].lower()
    opened = max(window.rfind(tag) for tag in _OPEN_LINK)
    return opened >= 0 and window.find(b"</a", opened) < 0


def could_report_launch(content: bytes) -> bool:
    """False only when the bytes hold no launch vocabulary at all."""
    return _CHOSEN(content)


# --------------------------------------------------------------------------
# The Python engine
# --------------------------------------------------------------------------

def could_report_launch_python(content: bytes) -> bool:
    """The Python engine: `re` and bytes methods, about 200 MB/s on a page with no stem."""
    if content.startswith(_UTF16_BOMS):
        content = content.decode("utf-16", errors="replace").encode("utf-8")
    # First with every break byte deleted, in the one pass that folds the
    # case: most pages end here. Only a page that has a stem then, or
    # markup breaks, is read again exactly.
    screened = content.translate(_FOLD, _INVISIBLE_BYTES)
    if not _has_stem(screened) and not (b"<wbr" in screened or _SOFT_ENTITY.search(screened)):
        return False
    folded = content.translate(_FOLD)
    return _has_stem(folded) or _has_stem(_JOINS.sub(b"", folded))


def _has_stem(folded: bytes) -> bool:
    return any(pattern.search(folded) for pattern in _PATTERNS)


# --------------------------------------------------------------------------
# The hyperscan engine
# --------------------------------------------------------------------------

_STEM, _BREAK = 0, 1
# What hands a page to the Python engine: a word break after a letter.
# Wider than a break between two letters (that engine decides exactly).
_BREAK_MARKERS = (
    rb"[a-z](?:" + _INVISIBLE_UTF8 + b")",
    rb"[\x00-\x7f]\xad",
    rb"[a-z]<wbr",
    rb"[a-z]&(?:shy|zwn?j|#173|#xad|#820[345]|#x200[bcd]);",
)
# Hyperscan matches up to 48 literals with its Teddy matcher, more with its
# FDR matcher, and on news HTML FDR is about 1.9x faster for these stems
# (benchmarks/prefilter_speed.py: 3.7-4.0 against 2.0-2.3 GB/s). 64 padding
# literals of bytes that UTF-8 never uses (0xF5-0xFF) make it choose FDR;
# Latin-1 text could hold one ("õõøú"), and the callback ignores it.
_PADDING = tuple(bytes((0xF5 + i % 11, 0xF5 + i // 11, 0xF8, 0xFA)) for i in range(64))
_PADDING_ID = 2


def _compile():
    """The hyperscan database, or None when hyperscan is missing or cannot run on this CPU."""
    try:
        import hyperscan
    except ImportError:
        return None, None
    flags = hyperscan.HS_FLAG_CASELESS | hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_DOTALL
    expressions = [w.encode() for w in STEM_WORDS] + list(_BREAK_MARKERS) + list(_PADDING)
    ids = [_STEM] * len(STEM_WORDS) + [_BREAK] * len(_BREAK_MARKERS) + [_PADDING_ID] * len(_PADDING)
    try:
        database = hyperscan.Database()
        database.compile(expressions=expressions, ids=ids, elements=len(expressions), flags=flags)
        hyperscan.Scratch(database)
    except Exception:   # hyperscan.error, ArchitectureError (a CPU without SSSE3 / NEON), ...
        return None, None
    return hyperscan, database


_hyperscan, _DATABASE = _compile()


def _compile_positions():
    """A second database that reports every stem (not just the first), with its end offset."""
    if _hyperscan is None:
        return None
    flags = _hyperscan.HS_FLAG_CASELESS | _hyperscan.HS_FLAG_DOTALL
    expressions = [w.encode() for w in STEM_WORDS] + list(_BREAK_MARKERS) + list(_PADDING)
    ids = [_STEM] * len(STEM_WORDS) + [_BREAK] * len(_BREAK_MARKERS) + [_PADDING_ID] * len(_PADDING)
    try:
        database = _hyperscan.Database()
        database.compile(expressions=expressions, ids=ids, elements=len(expressions), flags=flags)
    except Exception:
        return None
    return database


_POSITIONS = _compile_positions()
_position_scratches = threading.local()


def _scan_outside_links(content: bytes) -> bool | None:
    """True at the first stem outside a link, False when there is none, None where the
    Python engine must decide (no hyperscan, UTF-16, a word break that may hide a stem)."""
    if _POSITIONS is None or content.startswith(_UTF16_BOMS):
        return None
    scratch = getattr(_position_scratches, "scratch", None)
    if scratch is None:
        scratch = _position_scratches.scratch = _hyperscan.Scratch(_POSITIONS)
    state = {"content": content, "verdict": False}
    try:
        _POSITIONS.scan(content, match_event_handler=_judge, context=state, scratch=scratch)
    except _hyperscan.ScanTerminated:
        pass
    return state["verdict"]


def _judge(pattern: int, start: int, end: int, flags: int, state: dict) -> bool:
    """Stop at a word break (undecided) or at a stem outside a link (a verdict)."""
    if pattern == _BREAK:
        state["verdict"] = None
        return True
    if pattern == _STEM and not _inside_link(state["content"], end):
        state["verdict"] = True
        return True
    return False


_scratches = threading.local()   # hyperscan's scratch space is per thread (scans release the GIL)


def could_report_launch_hyperscan(content: bytes) -> bool:
    """The hyperscan engine: one SIMD pass over the bytes, 3-4 GB/s on a page with no stem."""
    if content.startswith(_UTF16_BOMS):
        return could_report_launch_python(content)
    scratch = getattr(_scratches, "scratch", None)
    if scratch is None:
        scratch = _scratches.scratch = _hyperscan.Scratch(_DATABASE)
    breaks: list[int] = []
    try:
        _DATABASE.scan(content, match_event_handler=_on_match, context=breaks, scratch=scratch)
    except _hyperscan.ScanTerminated:
        return True
    return bool(breaks) and could_report_launch_python(content)


def _on_match(pattern: int, start: int, end: int, flags: int, breaks: list[int]) -> bool:
    """A stem stops the scan; a word break is noted and the scan goes on."""
    if pattern == _BREAK:
        breaks.append(end)
    return pattern == _STEM


ENGINES: dict[str, Callable[[bytes], bool]] = {"python": could_report_launch_python}
if _DATABASE is not None:
    ENGINES["hyperscan"] = could_report_launch_hyperscan
ENGINE = "hyperscan" if _DATABASE is not None else "python"
_CHOSEN = ENGINES[ENGINE]
