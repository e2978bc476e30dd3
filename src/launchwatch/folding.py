"""Case-insensitive patterns run on ASCII-lower-cased text.

Python's `re` matches literals far slower under IGNORECASE (measured 2-3.5x on
the extractor's term lists). Lower-casing ASCII letters keeps every offset,
so a match on the folded text points into the original text unchanged.
"""
from __future__ import annotations

import functools
import re
import string
from re import _constants as _c, _parser  # read patterns for their required words

_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


@functools.lru_cache(maxsize=256)  # a sentence is folded once for all the patterns asked of it
def fold(text: str) -> str:
    """ASCII letters lower-cased; length and offsets unchanged."""
    # str.lower is the same on ASCII text and many times faster than a translation table
    return text.lower() if text.isascii() else text.translate(_ASCII_LOWER)


def fold_pattern(source: str) -> str:
    """Lower-case the letters a pattern matches, not its escapes (\\b, \\S) or group names."""
    out, i = [], 0
    while i < len(source):
        if source[i] == "\\":
            out.append(source[i:i + 2])
            i += 2
        elif source.startswith("(?P<", i):
            end = source.index(">", i)
            out.append(source[i:end + 1])
            i = end + 1
        else:
            out.append(source[i].translate(_ASCII_LOWER))
            i += 1
    return "".join(out)


# The only non-ASCII characters that `re` under IGNORECASE takes for ASCII letters (İ ı ſ K).
_ASCII_LOOKALIKES = re.compile("[\u0130\u0131\u017f\u212a]")


def folds_like_ignorecase(text: str) -> bool:
    """Whether a case-insensitive ASCII pattern finds in `text` just what its folded form finds in
    `fold(text)`: true unless the text holds one of the four look-alikes."""
    return _ASCII_LOOKALIKES.search(text) is None


class Folded:
    """A case-insensitive pattern: compiled folded, matched on folded text.

    `gated`: first test whether the text holds one of the pattern's required
    words (`required_literals`); without one it cannot match. Worth it for a
    pattern that most sentences fail and whose words are few.
    """

    def __init__(self, source: str, gated: bool = False):
        self.pattern = re.compile(fold_pattern(source))
        self._gate = Gated(self.pattern) if gated else self.pattern

    def search(self, text: str, pos: int = 0, endpos: int | None = None):
        return self._gate.search(fold(text), pos, len(text) if endpos is None else endpos)

    def match(self, text: str, pos: int = 0):
        return self._gate.match(fold(text), pos)

    def finditer(self, text: str):
        return self._gate.finditer(fold(text))

    def findall(self, text: str) -> list:
        return self._gate.findall(fold(text))


class Holds:
    """Whether the folded text holds one of some plain words: what `Folded("a|b|c").search` tells,
    answered with `in` tests, several times faster than `re` on a list of literals."""

    def __init__(self, *words: str):
        self.words = tuple(fold(word) for word in words)

    def search(self, text: str) -> bool:
        return any(map(fold(text).__contains__, self.words))


class Gated:
    """A compiled pattern run only on texts that hold one of its required words (see `Folded`)."""

    def __init__(self, pattern: re.Pattern):
        self.pattern = pattern
        self._needs = required_literals(pattern.pattern, pattern.flags)

    def _may_match(self, text: str) -> bool:
        return self._needs is None or any(map(text.__contains__, self._needs))

    def search(self, text: str, pos: int = 0, endpos: int | None = None):
        return self.pattern.search(text, pos, len(text) if endpos is None else endpos) if self._may_match(text) else None

    def match(self, text: str, pos: int = 0):
        return self.pattern.match(text, pos) if self._may_match(text) else None

    def finditer(self, text: str):
        return self.pattern.finditer(text) if self._may_match(text) else iter(())

    def findall(self, text: str) -> list:
        return self.pattern.findall(text) if self._may_match(text) else []


class Alternatives:
    """Named alternatives as one alternation, `(?P<a>...)|(?P<b>...)`, matched faster.

    The matches are those of the one alternation. Two things make it cheaper:
    an alternative whose required words (`required_literals`) the text lacks
    cannot match anywhere, so only the others are tried (one compiled
    pattern per set of them); and when every alternative starts with `\\b`,
    one `\\b` in front lets `re` reject most positions at once instead of
    trying each alternative there. `folded`: matched on ASCII-folded text,
    like `Folded`.
    """

    def __init__(self, sources: dict[str, str], flags: int = 0, folded: bool = False):
        self._sources = {name: fold_pattern(rx) if folded else rx for name, rx in sources.items() if rx}
        self._flags, self._folded = flags, folded
        needs = {name: required_literals(rx, flags) for name, rx in self._sources.items()}
        self._always = frozenset(name for name, words in needs.items() if words is None)
        self._words = [(word, name) for name, words in needs.items() if words for word in words]
        self._bounded = all(starts_with_boundary(rx, flags) for rx in self._sources.values())
        self._compiled: dict[tuple[str, ...], re.Pattern] = {}

    def _pattern(self, text: str) -> re.Pattern | None:
        """The alternation of the alternatives that could match in `text`; None when none could."""
        held = {name for word, name in self._words if word in text}
        active = tuple(name for name in self._sources if name in held or name in self._always)
        if not active:
            return None
        rx = self._compiled.get(active)
        if rx is None:
            if len(self._compiled) >= _MAX_COMPILED:  # a bound for odd texts: a few sets are common
                self._compiled.clear()
            body = "|".join(f"(?P<{name}>{self._sources[name]})" for name in active)
            rx = self._compiled[active] = re.compile(rf"\b(?:{body})" if self._bounded else body, self._flags)
        return rx

    def finditer(self, text: str):
        text = fold(text) if self._folded else text
        rx = self._pattern(text)
        return rx.finditer(text) if rx is not None else iter(())

    def match(self, text: str, pos: int = 0):
        text = fold(text) if self._folded else text
        rx = self._pattern(text)
        return rx.match(text, pos) if rx is not None else None

    def search(self, text: str):
        text = fold(text) if self._folded else text
        rx = self._pattern(text)
        return rx.search(text) if rx is not None else None


_MAX_COMPILED = 256


def required_literals(source: str, flags: int = 0) -> frozenset[str] | None:
    """Strings one of which every match of the pattern contains; None when none can be told.

    Read from the parsed pattern: a run of literal characters, or a group,
    alternation or lookaround whose every branch requires one. Case-insensitive
    parts, negative lookarounds and optional parts require nothing.
    """
    try:
        parsed = _parser.parse(source, flags)
        if parsed.state.flags & re.IGNORECASE:
            return None
        found = _required_in(list(parsed.data))
    except Exception:  # an unexpected parse tree (another Python): no gate, never a wrong one
        return None
    if not found:
        return None
    return frozenset(w for w in found if not any(other != w and other in w for other in found))  # "launch" covers "launched"


def starts_with_boundary(source: str, flags: int = 0) -> bool:
    """Whether every match of the pattern starts with `\\b` (`re` hoists a prefix all branches share)."""
    try:
        data = _parser.parse(source, flags).data
        while data and data[0][0] is _c.SUBPATTERN and not data[0][1][1] and not data[0][1][2]:
            data = data[0][1][3].data
        return bool(data) and data[0] == (_c.AT, _c.AT_BOUNDARY)
    except Exception:
        return False


def _required_in(items: list) -> set[str] | None:
    """The best required set of a sequence: the one whose shortest string is longest."""
    best: set[str] | None = None
    run: list[str] = []

    def better(found: set[str] | None) -> None:  # longer shortest string, then fewer strings
        nonlocal best
        if found and (best is None or (-min(map(len, found)), len(found)) < (-min(map(len, best)), len(best))):
            best = found

    for op, av in items:
        if op is _c.LITERAL:
            run.append(chr(av))
            continue
        better({"".join(run)} if run else None)
        run = []
        better(_required_of(op, av))
    better({"".join(run)} if run else None)
    return best


def _required_of(op, av) -> set[str] | None:
    if op is _c.SUBPATTERN:
        _group, add_flags, _del_flags, sub = av
        return None if add_flags & re.IGNORECASE else _required_in(list(sub.data))
    if op is _c.BRANCH:
        found: set[str] = set()
        for branch in av[1]:
            each = _required_in(list(branch.data))
            if not each:
                return None
            found |= each
        return found
    if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
        low, _high, sub = av
        return _required_in(list(sub.data)) if low >= 1 else None
    if op is _c.ATOMIC_GROUP:
        return _required_in(list(av.data))
    if op is _c.ASSERT:  # a lookahead or lookbehind that must match holds its words too
        return _required_in(list(av[1].data))
    return None
