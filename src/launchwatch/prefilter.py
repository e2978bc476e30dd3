"""Before any parsing, a cheap test on the raw bytes: could this document report a launch?

The extractor reports a launch only in a sentence that names the weapon: a
weapon word ("missile", "rocket", "projectile") or a class phrase ("ICBM",
"ballistic", "satellite launch"), see extract/lexicon.py. Every one of them
holds one of the STEMS below (tests/test_prefilter.py checks), so a document
whose bytes hold no stem is skipped before its HTML is parsed. Bytes are
searched as they are read, markup included: a stem in a script or a menu
lets a page through, which costs time, never an event. Skipping scripts
would not be cheap: finding where they end reads them anyway, and a stray
"<script" in a comment would hide the story.

Not covered: a report that names the weapon only by its system name
("launched a Hwasong-18") or not at all ("the launch on Tuesday") in every
sentence, headline and meta tag. No gold document does.
"""
from __future__ import annotations

import codecs
import re

from launchwatch.boilerplate import INVISIBLE
from launchwatch.records import RawDocument

SKIP_REASON = "prefilter: no launch vocabulary"

# The stems, on lower-cased bytes: missile, projectile, satellite, rocket,
# rodong, weapon, warhead, ballistic, orbit, ICBM, SLBM, SRBM, IRBM, MRBM,
# hypersonic, space launch, scud. Each pattern starts with a literal, which `re`
# finds about as fast as bytes.find (2-3 GB/s), and the page is read once per
# pattern, so stems that share a literal share a pattern; the lookbehinds run
# only where the literal is. Measured on 160 KB pages with no stem
# (benchmarks/prefilter_speed.py --compare): one alternation of all stems is
# 1.7x slower (it is tried at every byte that can start one), three case
# variants with bytes.find 5.7x, IGNORECASE 14x.
STEMS = (
    rb"ile(?:(?<=missile)|(?<=projectile))",
    rb"satellite",
    rb"ro(?:cket|dong)",                                          # "medium-range Rodongs"
    rb"w(?:eapon|arhead)",
    rb"b(?:allistic|it(?<=orbit)|m(?<=icbm|slbm|srbm|irbm|mrbm))",  # "orbital launch", "into orbit"
    rb"hypersonic",
    rb"space.{0,8}launch",                                        # across "&nbsp;" or a line break
    rb"scud",                                                     # "short-range Scuds"
)
_PATTERNS = tuple(re.compile(stem, re.DOTALL) for stem in STEMS)

# ASCII upper -> lower, and the bytes of the invisible characters that the
# cleaner deletes (soft hyphen, zero-width space, ...), so "mis\u00adsile"
# still holds "missile". Deleting bytes can join words, never split a stem.
_FOLD = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz")
_INVISIBLE_BYTES = bytes(sorted(set("".join(map(chr, INVISIBLE)).encode("utf-8")) | {0xAD}))
# Markup that breaks a word for the bytes but not for the cleaned text. Looked
# for only when no stem was found, with a literal first (fast); removed, and
# the stems looked for again, only on a page that has some.
_SOFT_ENTITY = re.compile(rb"&(?=shy;|zwn?j;|#173;|#xad;|#820[345];|#x200[bcd];)")
_WORD_BREAKS = re.compile(rb"<wbr\s*/?>|&(?:shy|zwn?j|#173|#xad|#820[345]|#x200[bcd]);")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def worth_reading(raw: RawDocument) -> bool:
    """The bytes, or the title given with them (it becomes the headline), could report a launch."""
    return bool(raw.title and could_report_launch(raw.title.encode())) or could_report_launch(raw.content)


def could_report_launch(content: bytes) -> bool:
    """False only when the bytes hold no launch vocabulary at all."""
    if content.startswith(_UTF16_BOMS):
        content = content.decode("utf-16", errors="replace").encode("utf-8")
    folded = content.translate(_FOLD, _INVISIBLE_BYTES)
    if _has_stem(folded):
        return True
    if b"<wbr" in folded or _SOFT_ENTITY.search(folded):
        return _has_stem(_WORD_BREAKS.sub(b"", folded))
    return False


def _has_stem(folded: bytes) -> bool:
    return any(pattern.search(folded) for pattern in _PATTERNS)
