"""Stage 0: a cheap test on the raw bytes: could this document report a launch?

The extractor reports a launch only in a sentence that names the weapon: a
weapon word ("missile", "rocket", "projectile") or a class phrase ("ICBM",
"ballistic", "satellite launch"), see extract/lexicon.py. Every one of them
holds one of the STEMS below (tests/test_prefilter.py checks), so a document
whose bytes hold no stem is skipped before its HTML is parsed. Bytes are
searched as they are read, markup included: a stem in a script or a menu
lets a page through, which costs time, never an event.

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

# Lower-case stems; a pattern that starts with a literal is searched about as
# fast as bytes.find (2.5-3.5 GB/s), a character class or IGNORECASE is 10-200x
# slower (benchmarks/prefilter_speed.py --compare). Most likely first: a page
# that passes stops at its first hit.
STEMS = (
    rb"missile", rb"rocket", rb"weapon", rb"satellite", rb"projectile", rb"warhead",
    rb"ballistic", rb"hypersonic",
    rb"bm(?<=icbm|slbm|srbm|irbm|mrbm)",   # one scan for the five acronyms
    rb"orbit",                             # "orbital launch", "into orbit"
    rb"space.{0,8}launch",                 # "space launch vehicle", across &nbsp; or a line break
    rb"scud", rb"rodong",                  # class phrases "short-range Scuds", "medium-range Rodongs"
)
_PATTERNS = tuple(re.compile(stem, re.DOTALL) for stem in STEMS)

# ASCII upper -> lower, and the bytes of the invisible characters that the
# cleaner deletes (soft hyphen, zero-width space, ...), so "mis\u00adsile"
# still holds "missile". Deleting bytes can join words, never split a stem.
_FOLD = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ", b"abcdefghijklmnopqrstuvwxyz")
_INVISIBLE_BYTES = bytes(sorted(set("".join(map(chr, INVISIBLE)).encode("utf-8")) | {0xAD}))
# Markup that breaks a word for the bytes but not for the cleaned text. Looked
# for only when no stem was found, so it costs the pages that are skipped.
_WORD_BREAKS = re.compile(rb"<wbr\s*/?>|&(?:shy|zwj|zwnj|#173|#xad|#820[345]|#x200[bcd]);")
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
    unbroken, breaks = _WORD_BREAKS.subn(b"", folded)
    return breaks > 0 and _has_stem(unbroken)


def _has_stem(folded: bytes) -> bool:
    return any(pattern.search(folded) for pattern in _PATTERNS)
