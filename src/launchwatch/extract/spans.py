"""A found piece of an article: [start, end) into its text, the words, and what they mean."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Mark:
    start: int
    end: int
    text: str
    value: object = None
