"""Names found by looking words up in a table, not by one regular expression of
a thousand alternatives (ten times slower on news text)."""
from __future__ import annotations

import re
from typing import Any, Iterable

from launchwatch.extract.spans import Mark

_WORD = re.compile(r"\w+")


class Gazetteer:
    def __init__(self, entries: Iterable[tuple[str, Any]]):
        self._table: dict[str, Any] = {}
        self._longest: dict[str, int] = {}  # first word -> most words in a name it starts
        self._prefixes: set[str] = set()    # the first words of longer names: "the", "the United"
        for name, value in entries:
            words = _WORD.findall(name)
            if not words:
                continue
            self._add(words, value)
            if len(words) == 2 and (words[1].isdigit() or len(words[1]) <= 3):
                self._add(["".join(words)], value)  # "Hwasong15", "KN23"

    def _add(self, words: list[str], value: Any) -> None:
        self._table.setdefault(" ".join(words), value)
        self._longest[words[0]] = max(self._longest.get(words[0], 0), len(words))
        self._prefixes.update(" ".join(words[:n]) for n in range(1, len(words)))

    def find(self, text: str, offset: int = 0, words: list[re.Match] | None = None,
             names: list[str] | None = None) -> list[Mark]:
        """Longest non-overlapping names in `text`, left to right; `words` (and their strings,
        `names`) may be shared between gazetteers."""
        words = tokenize(text) if words is None else words
        names = [w.group(0) for w in words] if names is None else names
        longest = self._longest
        hits, free = [], 0  # words before `free` belong to a name found already
        for i in [i for i, name in enumerate(names) if name in longest]:  # only words that start a name
            hit = self._longest_at(text, words, i, longest[names[i]]) if i >= free else None
            if hit is None:
                continue
            n, value = hit
            start, end = words[i].start(), words[i + n - 1].end()
            hits.append(Mark(start + offset, end + offset, text[start:end], value))
            free = i + n
        return hits

    def _longest_at(self, text: str, words: list[re.Match], i: int, longest: int):
        key, best = words[i].group(0), None
        value = self._table.get(key)
        if value is not None:
            best = (1, value)
        for n in range(1, min(longest, len(words) - i)):
            if key not in self._prefixes or not _joined(text, words[i + n - 1], words[i + n]):
                break  # no longer name starts with these words, or the next word is apart
            key += " " + words[i + n].group(0)
            value = self._table.get(key)
            if value is not None:
                best = (n + 1, value)
        return best


def tokenize(text: str) -> list[re.Match]:
    return list(_WORD.finditer(text))


def _joined(text: str, a: re.Match, b: re.Match) -> bool:
    """What may stand between the words of one name: "Hwasong-15", "U.S. Indo-Pacific", "Ra'ad"."""
    gap = text[a.end():b.start()]
    return len(gap) <= 2 and not gap.strip(_JOINERS)  # nothing but joiners


_JOINERS = " -.'’/"
