"""No near-duplicates: the most similar pair of messages, across splits, stays below a threshold.

Similarity is the cosine of TF-IDF vectors of character 3-5-grams within words, over lower-cased
text with digits masked (so "flat 12" and "flat 47" do not hide a copy). The threshold is
justified in training_data/README.md: honestly distinct messages on the same subject ("my boiler
is broken") score up to about 0.6-0.7; a copy with a changed name, number or one edited clause
scores above 0.85.
"""

from __future__ import annotations

import re

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

THRESHOLD = 0.85


def most_similar_pairs(texts: list[str], top: int = 5) -> list[tuple[float, int, int]]:
    """The `top` most similar pairs (similarity, i, j) with i < j."""
    norm = [re.sub(r"\d", "0", t.lower()) for t in texts]
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=1, sublinear_tf=True)
    x = vec.fit_transform(norm).tocsr()
    best: list[tuple[float, int, int]] = []
    # A thousand rows at a time, so memory stays flat however large the data grows.
    for start in range(0, x.shape[0], 1000):
        block = (x[start : start + 1000] @ x.T).toarray()
        rows = np.arange(block.shape[0])
        block[np.arange(block.shape[1])[None, :] <= (rows + start)[:, None]] = 0.0  # j > i only
        for k in np.argsort(block, axis=None)[::-1][:top]:
            i, j = divmod(int(k), block.shape[1])
            best.append((float(block[i, j]), start + i, j))
    return sorted(best, reverse=True)[:top]


def test_no_near_duplicates(splits: dict[str, list[dict]]) -> None:
    records = [(name, rec) for name, recs in splits.items() for rec in recs]
    pairs = most_similar_pairs([rec["text"] for _, rec in records])
    report = "\n".join(
        f"{s:.3f}  {records[i][0]}/{records[i][1]['id']} ~ {records[j][0]}/{records[j][1]['id']}: "
        f"{records[i][1]['text'][:70]!r} | {records[j][1]['text'][:70]!r}"
        for s, i, j in pairs
    )
    print(f"most similar pairs (threshold {THRESHOLD}):\n{report}")
    assert pairs[0][0] <= THRESHOLD, report
