"""Syndicated copies: near-duplicate texts found with MinHash (datasketch).

A wire story reprinted on several sites, lightly edited, is one report: a
copy adds a citation, not an independent source. Each document's text gets
a MinHash signature of its word 4-grams at ingest; resolution compares the
documents of one event, whose number is small, so no global index is needed
(events are the blocking key).
"""
from __future__ import annotations

import operator
import re
from hashlib import sha1
from typing import Iterable

import numpy as np
from datasketch import LeanMinHash, MinHash

NUM_PERM = 64
SHINGLE = 4
# Estimated Jaccard similarity of shingle sets above which one text copies another.
# Lightly edited copies of one wire story score 0.6-0.95; two outlets' own
# write-ups of the same launch stay under 0.25.
COPY_THRESHOLD = 0.5
_WORD = re.compile(r"\w+")


# The permutations of MinHash(num_perm=NUM_PERM, seed=1), drawn once instead of per document.
_TEMPLATE = MinHash(num_perm=NUM_PERM, seed=1)


def signature(text: str) -> bytes | None:
    """The MinHash of the text's word 4-grams, serialized; None for very short texts.

    The same bytes as `MinHash(num_perm=NUM_PERM, seed=1).update_batch(grams)`
    with datasketch's default hash (sha1_hash32: the first 4 bytes of SHA-1,
    little-endian), so stored signatures stay comparable; the hashes are taken
    in one pass and handed over as integers."""
    words = _WORD.findall(text.lower())
    if len(words) < SHINGLE * 3:
        return None
    grams = {" ".join(gram) for gram in zip(*(words[i:] for i in range(SHINGLE)))}
    digests = b"".join([sha1(g.encode()).digest() for g in grams])
    hashes = np.frombuffer(digests, dtype="<u4")[::5].tolist()  # 20-byte digests: every fifth word is a first 4 bytes
    mh = MinHash(num_perm=NUM_PERM, seed=_TEMPLATE.seed, hashfunc=operator.index,
                 permutations=_TEMPLATE.permutations, scheme=_TEMPLATE.scheme)
    mh.update_batch(hashes)
    lean = LeanMinHash(mh)
    buf = bytearray(lean.bytesize())
    lean.serialize(buf)
    return bytes(buf)


def similarity(a: bytes | None, b: bytes | None) -> float:
    if not a or not b:
        return 0.0
    return LeanMinHash.deserialize(a).jaccard(LeanMinHash.deserialize(b))


def copies(docs: Iterable[tuple[str, str | None, bytes | None]]) -> dict[str, tuple[str, float]]:
    """{copy doc_id: (original doc_id, similarity)} among (doc_id, published, signature) triples.

    Near-duplicates form groups; the original of a group is its earliest
    published document (doc_id breaks ties), so the answer does not depend on
    the order documents arrived in.
    """
    docs = sorted(docs, key=lambda d: (d[1] or "9999", d[0]))
    hashes = [LeanMinHash.deserialize(d[2]) if d[2] else None for d in docs]
    parent = list(range(len(docs)))
    best: dict[int, float] = {}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(docs)):
        for j in range(i + 1, len(docs)):
            if hashes[i] is None or hashes[j] is None:
                continue
            sim = hashes[i].jaccard(hashes[j])
            if sim >= COPY_THRESHOLD:
                best[j] = max(best.get(j, 0.0), sim)
                ri, rj = root(i), root(j)
                parent[max(ri, rj)] = min(ri, rj)
    return {docs[i][0]: (docs[root(i)][0], round(best.get(i, 0.0), 3))
            for i in range(len(docs)) if root(i) != i}


__all__ = ["signature", "similarity", "copies", "COPY_THRESHOLD"]
