"""Findability: how often a host's keyword search puts the right tool in its top three.

Hosts that load tool definitions lazily (Claude Code, Copilot CLI) find a tool by searching the
catalogue with the user's words. The requests, the ranking (Okapi BM25 over name, title,
description and input property names) and the target are those of
``tests/catalog/test_findable.py``, which holds the figure in CI; this reports it.
"""

from __future__ import annotations

from bench.figure import Figure, Options, Row
from tests.catalog import test_findable as findable


async def measure(_options: Options) -> Figure:
    """Rank every tool for each request of the test's set and count the top-three hits."""
    recall, misses = findable.recall_at(3)
    total = len(findable.REQUESTS)
    row = Row(
        f"findability: BM25 over {total} ordinary requests",
        f"recall@3 {recall:.3f} ({total - len(misses)}/{total})",
        f"{findable.RECALL_TARGET} of requests",
        f"{recall:.3f}",
        f">= {findable.RECALL_TARGET}",
        recall >= findable.RECALL_TARGET,
    )
    shown = "; ".join(f'"{request}" -> `{tool}` (top three: {", ".join(top)})' for request, tool, top in misses)
    note = (
        f"- **Findability**: each of the {total} requests in `tests/catalog/test_findable.py` (what sales and "
        "operations users ask, paired with the tool a model should call first) ranks the catalogue's tools by "
        "Okapi BM25 (k1 1.2, b 0.75) over name, shown title, description and input property names, lower-cased "
        "with a naive plural fold and no stop words removed. A hit is the right tool in the top three. "
        f"Misses: {shown or 'none'}."
    )
    return Figure(row, [note])
