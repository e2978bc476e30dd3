"""Article text with its evidence spans highlighted, built safely from untrusted text.

    highlight(text, [{"start": 10, "end": 18, "field": "distance_km", "chosen": True, ...}], "d0")

The text is cut at every span boundary; each piece is escaped on its own and
wrapped in a <mark> when spans cover it, so overlapping spans (one phrase
stating both count and class) never nest or break the markup. Each distinct
span gets an empty anchor `anchor_id(prefix, start, end)` that the claims
tables link to, and a small tag with its field names where it ends.
"""
from __future__ import annotations

from typing import Any, Iterable

from markupsafe import Markup, escape


def anchor_id(prefix: str, start: int, end: int) -> str:
    return f"{prefix}-{start}-{end}"


def _usable(spans: Iterable[dict[str, Any]], length: int) -> list[dict[str, Any]]:
    """Spans that point inside the text (a stale offset is dropped, never guessed)."""
    out = []
    for span in spans:
        start, end = span.get("start"), span.get("end")
        if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= length:
            out.append(span)
    return out


def _mark_class(covering: list[dict[str, Any]]) -> str:
    if any(s.get("chosen") for s in covering):
        return "chosen"
    if all(s.get("invalid") for s in covering):
        return "invalid"
    return "claim"


def _describe(span: dict[str, Any]) -> str:
    who = span.get("source") or "no source named"
    hedge = f", {span['hedge']}" if span.get("hedge") else ""
    return f"{span.get('field')}: {span.get('value')} ({who}{hedge})"


def _unique(items: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(items))


# Plain string building with escape() on every piece of input: Markup.format is ten
# times slower, and an article has hundreds of pieces.
def _mark(piece: str, covering: list[dict[str, Any]]) -> str:
    fields = escape(" ".join(_unique(str(s.get("field")) for s in covering)))
    title = escape("; ".join(_unique(_describe(s) for s in covering)))
    return f'<mark class="evidence {_mark_class(covering)}" data-fields="{fields}" title="{title}">{escape(piece)}</mark>'


def highlight(text: str | None, spans: Iterable[dict[str, Any]], prefix: str = "s") -> Markup:
    """`text`, escaped, with <mark> around every span and an anchor where each begins."""
    text = text or ""
    spans = _usable(spans, len(text))
    cuts = sorted({0, len(text), *(s["start"] for s in spans), *(s["end"] for s in spans)})
    out: list[str] = []
    for a, b in zip(cuts, cuts[1:]):
        for start, end in _unique((s["start"], s["end"]) for s in spans if s["start"] == a):
            out.append(f'<span class="anchor" id="{escape(anchor_id(prefix, start, end))}"></span>')
        covering = [s for s in spans if s["start"] <= a and s["end"] >= b]
        out.append(_mark(text[a:b], covering) if covering else str(escape(text[a:b])))
        ending = _unique(str(s.get("field")) for s in spans if s["end"] == b)
        if ending:
            out.append(f'<sup class="field-tag">{escape(" · ".join(ending))}</sup>')
    return Markup("".join(out))   # every piece above is escaped input or fixed markup
